"""The /mydata files: a web page (Jinja2) a person reads in their own language, and the same data
as JSON for another program (data portability).

What the bot stores as a code ("parent.reports_by", "leicester", "verified") goes into the JSON as
``{"code": ..., "label": ...}``: the code for a program, the label in the person's language for a
person; the page shows only the labels. Dates stay ISO 8601 in the JSON and are written the
reader's way (babel) on the page.
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
from cpc_bot.engine.kinds import uk_time
from cpc_bot.engine.values import format_day
from cpc_bot.i18n.locale import is_rtl, language_name
from cpc_bot.i18n.markers import N_

ROLES = {"parent": N_("A parent or carer"), "child": N_("A child or young person"),
         "professional": N_("Someone who works with children")}
STATUSES = {"in_progress": N_("Not finished yet"), "finished": N_("Finished"), "pending": N_("Waiting"),
            "claimed": N_("Being sent"), "sending": N_("Being sent"), "sent": N_("Sent"), "done": N_("Done"),
            "cancelled": N_("Cancelled"), "failed": N_("Could not be sent"), "expired": N_("No longer needed"),
            "unconfirmed": N_("May not have arrived")}
VERIFICATION = {"draft": N_("Not finished"), "code": N_("Waiting for the emailed code"),
                "pending": N_("Waiting for an admin"), "verified": N_("Verified"), "refused": N_("Not verified"),
                "revoked": N_("Ended by an admin"), "expired": N_("Ended (the time ran out)")}
#: Every kind of reminder row (the renderers in reminders/): a test keeps the two lists together.
REMINDERS = {"parent.reports_by": N_("Check you have all the reports"),
             "parent.day_before": N_("The day before the conference"),
             "parent.morning_of": N_("The morning of the conference"),
             "parent.next_steps": N_("What happens next"),
             "parent.notes_by": N_("The notes of the meeting"),
             "pro.nudge": N_("A deadline for a conference you registered"),
             "member.ended": N_("A note that your link to a conference ended"),
             "retention.notice": N_("Reminder that your data will be deleted"),
             "retention.done": N_("A note that your data was deleted")}
CONFERENCE_KINDS = {"initial": N_("Initial conference"), "review": N_("Review conference"),
                    "pre_birth": N_("Pre-birth conference")}
#: Who a professional said they are at a conference they registered (dialogs/pro_conference.yaml).
CONFERENCE_ROLES = {"social_worker": N_("I am the child's social worker"),
                    "professional": N_("I am another professional (health, school, police...)")}
#: Whom an invite link was for, for someone who joined through one.
JOINED_AS = {"parent": N_("Parent or carer"), "child": N_("Child or young person")}
#: A code with no label of its own (a kind added later and not listed here) is never shown raw.
UNKNOWN = N_("Something else")


def coded(code: str | None, labels: dict[str, str]) -> dict[str, str | None]:
    """A stored code with its label in the reader's language, for the JSON."""
    if code is None:
        return {"code": None, "label": ""}
    return {"code": code, "label": _(labels.get(code, UNKNOWN))}


def _day(value: str | None, locale: str) -> str:
    return format_day(datetime.fromisoformat(value).astimezone(LONDON).date(), locale) if value else ""


def when(value: str, locale: str, *, with_time: bool = True) -> str:
    """An ISO moment as the reader writes it: "5 January 2027 at 10:00 UK time"."""
    moment = datetime.fromisoformat(value).astimezone(LONDON)
    if not with_time:
        return format_day(moment.date(), locale)
    return _("%(day)s at %(time)s") % {"day": format_day(moment.date(), locale), "time": uk_time(moment.time(), locale)}


def language(stored: str | None, speaking: str) -> dict[str, str | None]:
    """The language they chose with /language, or the one Telegram told us (``stored`` is None)."""
    if stored:
        return {"code": stored, "label": language_name(stored)}
    return {"code": None, "label": _("%(language)s (from your Telegram settings)") % {"language": language_name(speaking)}}


def reminder_label(kind: str, params: dict[str, Any], locale: str) -> str:
    """What a reminder is about, in words: a professional's nudge names its deadline and conference."""
    if kind == "pro.nudge" and {"title", "due", "kind", "conference_day"} <= params.keys():
        due = params["due"]
        due_text = when(due, locale) if "T" in due else format_day(date.fromisoformat(due), locale)
        return _("%(deadline)s, due %(due)s (%(conference)s, %(day)s)") % {
            "deadline": _(params["title"]), "due": due_text, "conference": _(CONFERENCE_KINDS.get(params["kind"], UNKNOWN)),
            "day": format_day(date.fromisoformat(params["conference_day"]), locale)}
    return _(REMINDERS.get(kind, UNKNOWN))


def conference_label(kind: str, area: str | None, starts: str, has_time: bool, locale: str) -> str:
    """"Initial conference, 5 January 2027 at 10:00 UK time, Leicester"."""
    values = {"kind": _(CONFERENCE_KINDS.get(kind, UNKNOWN)), "when": when(starts, locale, with_time=has_time)}
    if area:
        return _("%(kind)s, %(when)s, %(area)s") % {**values, "area": _(AREA_LABELS.get(area, UNKNOWN))}
    return _("%(kind)s, %(when)s") % values


def professional_status(found: dict[str, Any], locale: str) -> str:
    """"Verified · until 24 November 2027"."""
    status = str(found["status"]["label"])
    if found.get("verified_until"):
        status += " · " + _("until %(day)s") % {"day": _day(found["verified_until"], locale)}
    return status


@cache
def _environment() -> Environment:
    env = Environment(loader=PackageLoader("cpc_bot.documents", "templates"),
                      autoescape=select_autoescape(["html", "j2"]), extensions=["jinja2.ext.i18n"])
    # Translated at render time with the person's own locale (aiogram's context), %-formatting
    # and escaping done by Jinja2 ("newstyle" gettext).
    env.install_gettext_callables(lambda s: _(s), lambda s, p, n: ngettext(s, p, n), newstyle=True)  # type: ignore[attr-defined]
    return env


def _conference(c: dict[str, Any], locale: str) -> dict[str, Any]:
    details = []
    if c.get("role"):
        details.append((_("My role"), c["role"]["label"]))
    if c.get("case_reference"):
        details.append((_("Case reference"), c["case_reference"]))
    if c.get("as"):
        details.append((_("Invited as"), c["as"]["label"]))
    if c.get("joined"):
        details.append((_("Joined on"), _day(c["joined"], locale)))
    if c.get("name_given"):
        details.append((_("The name you gave"), c["name_given"]))
    return {"title": c["label"], "details": details}


def render_mydata_html(data: dict[str, Any], locale: str, made_on: date) -> bytes:
    """``data`` is the export (see handlers.mydata.export_user): labels shown, codes left to the JSON."""
    user = data["user"]
    professional = data.get("professional")
    context = {
        "locale": locale,
        "rtl": is_rtl(locale),
        "made_on": format_day(made_on, locale),
        "user": {"telegram_id": user["telegram_id"], "language": user["language"]["label"],
                 "role": user["role"]["label"], "first_seen": _day(user["first_seen"], locale),
                 "discreet": _("On") if user["discreet_mode"] else _("Off")},
        "questionnaires": [
            {"title": q["questionnaire"]["label"], "status": q["status"]["label"], "started": _day(q["started"], locale),
             "shared": ", ".join(page["label"] for page in q["shared_pages"]), "answers": q["answers"]}
            for q in data["questionnaires"]],
        "professional": None if not professional else {
            "area": professional["area"]["label"], "name": professional["name"] or "", "job": professional["job"] or "",
            "organisation": professional["organisation"] or "", "email": professional["email"] or "",
            "status": professional_status(professional, locale)},
        "reminders": [{"when": when(r["due"], locale), "what": r["kind"]["label"], "status": r["status"]["label"]}
                      for r in data["reminders"]],
        "conferences": [_conference(c, locale) for c in data["conferences_registered"] + data["conferences_joined"]],
    }
    return _environment().get_template("mydata.html.j2").render(context).encode()
