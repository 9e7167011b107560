"""The help each person gets for each kind of danger: short, kind, with the right numbers.

Channel-free: it returns HTML text (Telegram's subset, which the web chat renders too) in the
language of the gettext context it is called in. The numbers come from ``helplines.yaml``
(one place, with the source and the date each was checked), never from the catalogues, so a
translation cannot carry a wrong number.

Who gets what (issue 13):
- a child or young person: 999 if in danger now; Childline (free, any time, also online);
  tell a trusted adult; that the bot is a program, nobody reads live, and it tells nobody
  by itself (true, and no promise of secrecy);
- a parent or carer harmed by a partner: 999 and the Silent Solution; the National Domestic
  Abuse Helpline; the Men's Advice Line; and, gently, that their report may be read at the
  conference where that partner may be;
- an adult thinking of suicide or self-harm: Samaritans; 999 or A&E in danger now;
- a parent saying a child is being hurt now: 999; a child being harmed: the NSPCC helpline;
- a professional: 999 and their own safeguarding procedures; the NSPCC helpline;
- forced marriage or honour-based abuse (anyone): the Forced Marriage Unit and Karma Nirvana.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import yaml
from aiogram.utils.i18n import gettext as _

from cpc_bot.safety.net import KINDS

#: libyaml's parser where PyYAML has it: the same results as SafeLoader, several times faster at start-up.
_YAML = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

HELPLINES_FILE = Path(__file__).with_name("helplines.yaml")

#: What the 🆘 button shows each person: everything they might need, as they said nothing yet.
SOS_KINDS: dict[str, tuple[str, ...]] = {
    "child": ("child_danger_now", "child_harm"),
    "parent": ("danger_now", "domestic_abuse", "suicide", "child_harm"),
    "professional": ("danger_now", "child_harm"),
    "unknown": ("child_danger_now", "child_harm", "danger_now", "domestic_abuse", "suicide"),
}


@cache
def helplines() -> dict[str, Any]:
    data = yaml.load(HELPLINES_FILE.read_text(encoding="utf-8"), Loader=_YAML)
    return dict(data["helplines"])


def _number(key: str) -> str:
    return str(helplines()[key]["number"])


def _child_paragraphs(kinds: set[str]) -> list[str]:
    paragraphs = [
        _("<b>Thank you for telling me.</b> It is not your fault."),
        _("<b>If you are in danger right now, call %(emergency)s.</b>") % {"emergency": _number("emergency")},
        _("You can talk to <b>Childline</b> about anything, any time. It is free: <b>%(childline)s</b>. "
          "You can also chat to them online at childline.org.uk.") % {"childline": _number("childline")},
    ]
    if "forced_marriage" in kinds:
        paragraphs.append(_(
            "Nobody is allowed to make you get married. The <b>Forced Marriage Unit</b> can help: "
            "<b>%(fmu)s</b>.") % {"fmu": _number("forced_marriage_unit")})
    paragraphs.append(_(
        "Please tell a grown-up you trust, like a teacher, your social worker or a family friend. "
        "They can help keep you safe."))
    paragraphs.append(_(
        "I am a computer program. Nobody reads these messages straight away, and I do not tell "
        "anyone by myself. That is why talking to a person is important."))
    return paragraphs


def _adult_paragraphs(kinds: set[str], who: str) -> list[str]:
    paragraphs = []
    if "child_danger_now" in kinds:
        paragraphs.append(_("<b>If a child is being hurt right now, call %(emergency)s.</b>") % {"emergency": _number("emergency")})
    if kinds & {"danger_now", "domestic_abuse"} or who == "professional":
        paragraphs.append(_("<b>If you or someone else is in danger now, call %(emergency)s.</b>") % {"emergency": _number("emergency")})
    if kinds & {"danger_now", "domestic_abuse"}:
        paragraphs.append(_(
            "If you cannot speak, stay on the line. On a mobile, press 55 when you are asked: this is "
            "the Silent Solution, and it tells the operator you need the police."))
    if who == "professional":
        paragraphs.append(_("Then follow your organisation's safeguarding procedures."))
    if "domestic_abuse" in kinds:
        paragraphs.append(_(
            "The <b>National Domestic Abuse Helpline</b> is free and open day and night: <b>%(helpline)s</b>. "
            "Men can also call the <b>Men's Advice Line</b>: <b>%(mens)s</b>.")
            % {"helpline": _number("domestic_abuse"), "mens": _number("mens_advice")})
    if kinds & {"suicide", "self_harm"}:
        paragraphs.append(_(
            "You matter. <b>Samaritans</b> are there for you day and night, for free: <b>%(samaritans)s</b>. "
            "If your life is in danger now, call %(emergency)s or go to A&amp;E.")
            % {"samaritans": _number("samaritans"), "emergency": _number("emergency")})
    if kinds & {"child_harm", "child_danger_now"} or who == "professional":
        paragraphs.append(_(
            "The <b>NSPCC helpline</b> is there for adults worried about a child: <b>%(nspcc)s</b>.")
            % {"nspcc": _number("nspcc")})
    if "forced_marriage" in kinds:
        paragraphs.append(_(
            "Forced marriage and so-called honour-based abuse are crimes. The <b>Forced Marriage Unit</b>: "
            "<b>%(fmu)s</b>. <b>Karma Nirvana</b>'s helpline: <b>%(karma)s</b>.")
            % {"fmu": _number("forced_marriage_unit"), "karma": _number("karma_nirvana")})
    if "domestic_abuse" in kinds and who == "parent":
        paragraphs.append(_(
            "<b>About your report:</b> what you write here may be read at the conference, and the person "
            "who hurts you may be there. You choose what goes in: you can skip or change this answer. "
            "You can also ask to speak to the chair or your social worker on your own."))
    return paragraphs


def help_text(kinds: set[str] | frozenset[str], who: str) -> str:
    """The help for ``kinds`` (see :data:`cpc_bot.safety.net.KINDS`), for ``who`` (child,
    parent, professional or unknown), in the current gettext language."""
    kinds = {kind for kind in kinds if kind in KINDS}
    paragraphs: list[str] = []
    if who in ("child", "unknown"):
        if who == "unknown":
            paragraphs.append(_("<b>If you are a child or young person:</b>"))
        paragraphs += _child_paragraphs(kinds)
    if who != "child":
        adult = _adult_paragraphs(kinds | ({"danger_now"} if who == "unknown" else set()), who)
        if adult:
            if who == "unknown":
                paragraphs.append(_("<b>If you are an adult:</b>"))
            paragraphs += adult
        paragraphs.append(_("Nobody reads these messages straight away, so please call if you need help now."))
    paragraphs.append(_("You can carry on when you are ready."))
    return "\n\n".join(paragraphs)
