"""A plain-language check for professionals' reports: jargon found, everyday words suggested.

From the seeds: Cumbria's guidance (003) asks for plain language instead of jargon, and
Staffordshire's (001) asks reports to be clear to parents. Pure; no I/O.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: term -> a suggestion in everyday words (shown to the professional, in English).
JARGON: dict[str, str] = {
    "significant harm": "say what happened, or what could happen, to the child",
    "neglect": "say which needs were not met (food, warmth, school, health, supervision)",
    "domestic violence": "say who hurt whom, how, and what the child saw or heard",
    "domestic abuse": "say who hurt whom, how, and what the child saw or heard",
    "cin": "child in need plan (a plan for help and support)",
    "cpp": "child protection plan",
    "icpc": "first child protection conference",
    "rcpc": "review child protection conference",
    "s47": "child protection enquiry (section 47): say what was looked into and why",
    "section 47": "child protection enquiry: say what was looked into and why",
    "lac": "child in care (looked after)",
    "threshold": "say what worries you and how serious it is",
    "engage": "say what the parent did or did not do, e.g. missed 3 of 5 visits",
    "non-engagement": "say what the parent did or did not do, e.g. missed 3 of 5 visits",
    "disguised compliance": "say what was agreed and what happened instead",
    "toxic trio": "name each worry (drink or drugs, mental health, violence at home) on its own",
    "risk factors": "say what could go wrong and why",
    "protective factors": "say who or what keeps the child safe",
    "presenting": "say what you saw or heard",
    "multi-agency": "the people working with the family (name them)",
}


@dataclass(frozen=True)
class Flag:
    term: str
    suggestion: str
    excerpt: str


def check(text: str) -> list[Flag]:
    """Every jargon term in ``text`` (whole words, any case), with the sentence around it."""
    flags = []
    for term, suggestion in JARGON.items():
        for match in re.finditer(rf"(?<![\w-]){re.escape(term)}(?![\w-])", text, re.IGNORECASE):
            start = max(0, match.start() - 40)
            flags.append(Flag(term, suggestion, text[start:match.end() + 40].strip()))
    return flags
