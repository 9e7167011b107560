"""A plain-language check for professionals' reports: jargon found, everyday words suggested.

From the seeds: Cumbria's guidance (003) asks for plain language instead of jargon, and
Lincolnshire's (000) asks that everything is "presented in everyday language that avoids
professional jargon". The terms, their everyday words and where each comes from are data,
in ``plain_language.yaml`` beside this module; read and compiled once, on first use.

Abbreviations match case-sensitively as whole words (so the Polish "da" or the "Cin" of a name
never fire); phrases match in any case, with the inflections the file spells out. The check
reads English: professionals write their reports in English. Pure; no I/O beyond reading the file.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Literal

import yaml
from pydantic import BaseModel, ConfigDict, StrictStr, ValidationError

TERMS_FILE = Path(__file__).with_name("plain_language.yaml")

#: Characters of context kept on each side of a term in the excerpt shown to the professional.
EXCERPT_CONTEXT = 40


class Term(BaseModel):
    """One entry of the jargon file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    term: StrictStr
    kind: Literal["abbreviation", "phrase"] | None = None
    match: tuple[StrictStr, ...] = ()
    plain: StrictStr
    source: StrictStr

    @property
    def case_sensitive(self) -> bool:
        if self.kind is not None:
            return self.kind == "abbreviation"
        return not any(c.islower() for c in self.term)

    def patterns(self) -> tuple[str, ...]:
        """The regexes for this term, without the whole-word guards."""
        if self.match:
            return self.match
        if self.case_sensitive:
            return (re.escape(self.term) + "s?",)
        # A space matches spaces or hyphens; a hyphen matches a hyphen, a space or nothing.
        words = [re.escape(w) for w in self.term.split(" ")]
        pieces = [r"[\s-]*".join(w.split(r"\-")) for w in words]
        return (r"[\s-]+".join(pieces) + "s?",)


class JargonFileError(ValueError):
    """The jargon file cannot be used: the message names the entry."""


@dataclass(frozen=True)
class Flag:
    term: str  # the entry's term, e.g. "DA"
    found: str  # the words as the professional wrote them, e.g. "Non-Engagement"
    suggestion: str  # the everyday words to use instead
    excerpt: str  # the words around it, from the same answer and line; "…" where cut


@dataclass(frozen=True)
class _Matcher:
    terms: dict[str, Term]  # group name -> term
    abbreviations: re.Pattern[str]
    phrases: re.Pattern[str]


def load_terms(path: Path = TERMS_FILE) -> list[Term]:
    """Every entry of the jargon file, checked: each regex compiles and captures nothing."""
    # libyaml where PyYAML has it: five times faster. A bare yes/no read as a bool is refused below.
    raw = yaml.load(path.read_text(encoding="utf-8"), Loader=getattr(yaml, "CSafeLoader", yaml.SafeLoader))
    terms = []
    for index, entry in enumerate(raw["terms"]):
        try:
            term = Term.model_validate(entry)
            for pattern in term.patterns():
                if re.compile(pattern).groups:
                    raise JargonFileError(f"{path.name}: entry {index} ({term.term!r}): use (?:...), not a capturing group")
                if term.case_sensitive and not pattern[:1].isupper():
                    raise JargonFileError(f"{path.name}: entry {index} ({term.term!r}): an abbreviation starts with a capital")
        except (ValidationError, re.error) as error:
            raise JargonFileError(f"{path.name}: entry {index} ({entry!r}): {error}") from error
        terms.append(term)
    return terms


def _alternation(named: list[tuple[str, Term]]) -> str:
    return "|".join(f"(?P<{name}>{'|'.join(term.patterns())})" for name, term in named)


@cache
def _matcher() -> _Matcher:
    named = [(f"t{i}", term) for i, term in enumerate(load_terms())]
    abbreviations = [(n, t) for n, t in named if t.case_sensitive]
    phrases = [(n, t) for n, t in named if not t.case_sensitive]
    # An abbreviation is a whole word: "CP-plan" still names CP, "CINDY" does not name CIN; the
    # look-ahead for a capital skips most positions at once (five times faster on a report).
    # A phrase is bounded by hyphens too: the "engagement" of "non-engagement" is not a second flag.
    return _Matcher(
        dict(named),
        re.compile(rf"(?<!\w)(?=[A-Z])(?:{_alternation(abbreviations)})(?!\w)"),
        re.compile(rf"(?<![\w-])(?:{_alternation(phrases)})(?![\w-])", re.IGNORECASE),
    )


def _excerpt(text: str, start: int, end: int) -> str:
    """The words around ``text[start:end]``, never past its line: a line is one paragraph of
    one answer, so an excerpt cannot run into the next answer."""
    line_start = text.rfind("\n", 0, start) + 1
    line_end = text.find("\n", end)
    line_end = len(text) if line_end == -1 else line_end
    left, right = max(line_start, start - EXCERPT_CONTEXT), min(line_end, end + EXCERPT_CONTEXT)
    if left > line_start:  # cut at a space, not inside a word
        space = text.find(" ", left, start)
        left = space + 1 if space != -1 else left
    if right < line_end:
        space = text.rfind(" ", end, right)
        right = space if space != -1 else right
    words = text[left:right].strip()
    return ("…" if left > line_start else "") + words + ("…" if right < line_end else "")


def check(text: str) -> list[Flag]:
    """Every jargon term in one answer, in the order written, each with the words around it."""
    matcher = _matcher()
    found = [*matcher.abbreviations.finditer(text), *matcher.phrases.finditer(text)]
    flags = []
    for match in sorted(found, key=lambda m: m.start()):
        term = matcher.terms[match.lastgroup or ""]
        flags.append(Flag(term.term, match.group(), term.plain, _excerpt(text, match.start(), match.end())))
    return flags
