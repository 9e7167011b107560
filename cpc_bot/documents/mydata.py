"""The /mydata file a person can read: a web page (Jinja2) in their own language.

The same data also goes out as JSON, for moving it to another service (data portability);
this page is the one people open on their phone.
"""

from __future__ import annotations

from datetime import date, datetime
from functools import cache
from typing import Any

from aiogram.utils.i18n import gettext as _
from aiogram.utils.i18n import ngettext
from jinja2 import Environment, PackageLoader, select_autoescape

from cpc_bot.clock import LONDON
from cpc_bot.domain.verification import AREA_LABELS
from cpc_bot.engine.screens import uk_time
from cpc_bot.engine.values import format_day
from cpc_bot.i18n.locale import is_rtl, language_name
from cpc_bot.i18n.markers import N_
from cpc_bot.reminders.professionals import kind_label

ROLES = {"parent": N_("A parent or carer"), "child": N_("A child or young person"),
         "professional": N_("Someone who works with children")}
STATUSES = {"in_progress": N_("Not finished yet"), "finished": N_("Finished"), "pending": N_("Waiting"),
            "claimed": N_("Being sent"), "sending": N_("Being sent"), "sent": N_("Sent"), "done": N_("Done"),
            "cancelled": N_("Cancelled"), "failed": N_("Could not be sent"), "expired": N_("No longer needed"),
            "unconfirmed": N_("May not have arrived")}
VERIFICATION = {"draft": N_("Not finished"), "code": N_("Waiting for the emailed code"),
                "pending": N_("Waiting for an admin"), "verified": N_("Verified"), "refused": N_("Not verified"),
                "revoked": N_("Ended by an admin"), "expired": N_("Ended (the time ran out)")}
REMINDERS = {"parent.reports_by": N_("Check you have all the reports"),
             "parent.day_before": N_("The day before the conference"),
             "parent.morning_of": N_("The morning of the conference"),
             "parent.next_steps": N_("What happens next"),
             "parent.notes_by": N_("The notes of the meeting"),
             "pro.nudge": N_("A deadline for a conference you registered"),
             "member.ended": N_("A note that your link to a conference ended")}


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("cpc_bot.documents", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), extensions=["jinja2.ext.i18n"])
    # Translated at render time with the person's own locale (aiogram's context), %-formatting
    # and escaping done by Jinja2 ("newstyle" gettext).
    env.install_gettext_callables(lambda s: _(s), lambda s, p, n: ngettext(s, p, n), newstyle=True)  # type: ignore[attr-defined]
    return env


def _when(value: str, locale: str) -> str:
    moment = datetime.fromisoformat(value).astimezone(LONDON)
    return _("%(day)s at %(time)s") % {"day": format_day(moment.date(), locale), "time": uk_time(moment.time(), locale)}


def _label(labels: dict[str, str], key: str | None) -> str:
    return _(labels[key]) if key in labels else (key or "")


def _professional(found: dict[str, Any] | None, locale: str) -> dict[str, str] | None:
    if not found:
        return None
    status = _label(VERIFICATION, found["status"])
    if found.get("verified_until"):
        status += " · " + _("until %(day)s") % {"day": format_day(datetime.fromisoformat(found["verified_until"]).astimezone(LONDON).date(), locale)}
    return {"area": _label(AREA_LABELS, found["area"]), "name": found["name"] or "", "job": found["job"] or "",
            "organisation": found["organisation"] or "", "email": found["email"] or "", "status": status}


def render_mydata_html(data: dict[str, Any], locale: str, made_on: date) -> bytes:
    """``data`` is the export (see handlers.mydata.export_user); dates and codes made readable."""
    user = data["user"]
    context = {
        "locale": locale,
        "rtl": is_rtl(locale),
        "made_on": format_day(made_on, locale),
        "user": {"language": language_name(user["language"]) if user["language"] else "",
                 "role": _label(ROLES, user["role"]) if user["role"] else "",
                 "first_seen": format_day(datetime.fromisoformat(user["first_seen"]).date(), locale)
                 if user["first_seen"] else ""},
        "questionnaires": [
            {"title": q["questionnaire"], "status": _label(STATUSES, q["status"]),
             "started": format_day(datetime.fromisoformat(q["started"]).astimezone(LONDON).date(), locale),
             "shared": ", ".join(q["shared_pages"]), "answers": q["answers"]}
            for q in data["questionnaires"]],
        "professional": _professional(data.get("professional"), locale),
        "reminders": [{"when": _when(r["due"], locale), "what": _label(REMINDERS, r["kind"]),
                       "status": _label(STATUSES, r["status"])} for r in data["reminders"]],
        "conferences": [
            " · ".join(part for part in (kind_label(c["kind"]), _when(c["starts"], locale), c.get("area") or "",
                                         c.get("case_reference") or "",
                                         _("The name you gave: %(name)s") % {"name": c["name_given"]}
                                         if c.get("name_given") else "") if part)
            for c in data["conferences_registered"] + data["conferences_joined"]],
    }
    return _environment().get_template("mydata.html.j2").render(context).encode()
