"""How well the safety net does on the corpus: recall and false alarms per language, kind and group.

    python -m cpc_bot.safety.evaluate [--part dev|heldout|all] [--corpus DIR] [--misses]

The corpus (``tests/safety/corpus``) was written, by someone who had not seen the patterns,
before the patterns were: one JSON line per message with ``text``, ``lang``, ``who`` (child,
parent, professional), ``group`` (disclosure, everyday, concerns, professional) and ``kinds``
(for a disclosure: the kinds of help it needs, the most important first).
``heldout.jsonl`` is the held-out part, never looked at while writing patterns: a random fifth
of the third part of the corpus (see the corpus README; the earlier held-out parts,
``heldout1_seen.jsonl`` and ``heldout2_seen.jsonl``, were each measured once and then used for
development).

A disclosure counts as **found** when the help given covers its first kind (:data:`COVERS`):
the help for a child being harmed says "call 999 if you are in danger now", so it covers a
child in danger now, and so on. "All kinds" counts the lines where every kind listed is covered.
An ordinary line is a **false alarm** when any help at all would be shown.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from cpc_bot.config import PROJECT_ROOT
from cpc_bot.safety.net import SafetyNet, default_net

CORPUS_DIR = PROJECT_ROOT / "tests" / "safety" / "corpus"
HELDOUT = "heldout.jsonl"
LANGUAGES = ("en", "pl", "ro", "pa", "ur", "pt", "ar", "bn", "gu")

#: The kinds each kind's help also answers (its message carries their essentials).
COVERS: dict[str, frozenset[str]] = {
    "child_harm": frozenset({"child_harm", "child_danger_now"}),
    "child_danger_now": frozenset({"child_danger_now", "child_harm", "danger_now"}),
    "danger_now": frozenset({"danger_now"}),
    "domestic_abuse": frozenset({"domestic_abuse", "danger_now"}),
    "suicide": frozenset({"suicide", "self_harm"}),
    "self_harm": frozenset({"self_harm", "suicide"}),
    "forced_marriage": frozenset({"forced_marriage"}),
}

#: What ``make test`` holds the net to.
TARGET_RECALL = 0.97
TARGET_RECALL_PER_LANGUAGE = 0.90
TARGET_FALSE_ALARMS = 0.02
TARGET_FALSE_ALARMS_CONCERNS = 0.05


@dataclass(frozen=True)
class Line:
    text: str
    lang: str
    who: str
    group: str
    kinds: tuple[str, ...]
    where: str = ""
    note: str = ""


@dataclass(frozen=True)
class Outcome:
    line: Line
    found: frozenset[str]

    @property
    def covered(self) -> frozenset[str]:
        return frozenset().union(*(COVERS.get(kind, frozenset({kind})) for kind in self.found))

    @property
    def hit(self) -> bool:
        return bool(self.line.kinds) and self.line.kinds[0] in self.covered

    @property
    def all_kinds(self) -> bool:
        return all(kind in self.covered for kind in self.line.kinds)

    @property
    def alarm(self) -> bool:
        return not self.line.kinds and bool(self.found)


def load(part: str = "dev", directory: Path = CORPUS_DIR) -> list[Line]:
    """``dev``: every file but the held-out one; ``heldout``; or ``all``."""
    files = sorted(directory.glob("*.jsonl"))
    if part == "dev":
        files = [f for f in files if f.name != HELDOUT]
    elif part == "heldout":
        files = [f for f in files if f.name == HELDOUT]
    lines = []
    for path in files:
        for raw in path.read_text(encoding="utf-8").splitlines():
            if raw.strip():
                data = json.loads(raw)
                lines.append(Line(data["text"], data["lang"], data["who"], data["group"], tuple(data.get("kinds") or ()),
                                  data.get("where", ""), data.get("note", "")))
    return lines


def run(lines: Iterable[Line], net: SafetyNet | None = None) -> list[Outcome]:
    net = net or default_net()
    return [Outcome(line, net.check(line.text, line.who, line.lang).kinds) for line in lines]


@dataclass(frozen=True)
class Rate:
    good: int
    total: int

    @property
    def value(self) -> float:
        return self.good / self.total if self.total else 1.0

    def __str__(self) -> str:
        return f"{self.value * 100:5.1f}% ({self.good}/{self.total})" if self.total else "  -"


def recall(outcomes: Iterable[Outcome]) -> Rate:
    found = [o for o in outcomes if o.line.kinds]
    return Rate(sum(o.hit for o in found), len(found))


def false_alarms(outcomes: Iterable[Outcome], groups: Iterable[str] | None = None) -> Rate:
    chosen = set(groups) if groups is not None else None
    ordinary = [o for o in outcomes if not o.line.kinds and (chosen is None or o.line.group in chosen)]
    return Rate(sum(o.alarm for o in ordinary), len(ordinary))


def table(outcomes: list[Outcome], title: str) -> str:
    rows = [f"## {title}", "",
            "| language | disclosures found | all kinds covered | false alarms (everyday + professional) | false alarms (parents on the concerns) |",
            "|---|---|---|---|---|"]
    by_lang: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in outcomes:
        by_lang[outcome.line.lang].append(outcome)
    for lang in [*LANGUAGES, *sorted(set(by_lang) - set(LANGUAGES))]:
        items = by_lang.get(lang, [])
        if not items:
            continue
        alls = [o for o in items if o.line.kinds]
        rows.append(f"| {lang} | {recall(items)} | {Rate(sum(o.all_kinds for o in alls), len(alls))} | "
                    f"{false_alarms(items, ('everyday', 'professional'))} | {false_alarms(items, ('concerns',))} |")
    alls = [o for o in outcomes if o.line.kinds]
    rows.append(f"| **all** | {recall(outcomes)} | {Rate(sum(o.all_kinds for o in alls), len(alls))} | "
                f"{false_alarms(outcomes, ('everyday', 'professional'))} | {false_alarms(outcomes, ('concerns',))} |")
    rows += ["", "| first kind | found |", "|---|---|"]
    by_kind: dict[str, list[Outcome]] = defaultdict(list)
    for outcome in alls:
        by_kind[outcome.line.kinds[0]].append(outcome)
    for kind in sorted(by_kind):
        rows.append(f"| {kind} | {recall(by_kind[kind])} |")
    rows += ["", "| writer | disclosures found | false alarms |", "|---|---|---|"]
    for who in ("child", "parent", "professional"):
        items = [o for o in outcomes if o.line.who == who]
        rows.append(f"| {who} | {recall(items)} | {false_alarms(items)} |")
    rows += ["", "| ordinary group | false alarms |", "|---|---|"]
    for group in ("everyday", "concerns", "professional"):
        rows.append(f"| {group} | {false_alarms(outcomes, (group,))} |")
    return "\n".join(rows)


def failures(outcomes: list[Outcome]) -> list[str]:
    """The targets ``make test`` holds: empty when all are met."""
    problems = []
    overall = recall(outcomes)
    if overall.value < TARGET_RECALL:
        problems.append(f"recall {overall} < {TARGET_RECALL:.0%}")
    for lang in LANGUAGES:
        rate = recall([o for o in outcomes if o.line.lang == lang])
        if rate.total and rate.value < TARGET_RECALL_PER_LANGUAGE:
            problems.append(f"recall in {lang} {rate} < {TARGET_RECALL_PER_LANGUAGE:.0%}")
    rate = false_alarms(outcomes, ("everyday", "professional"))
    if rate.value > TARGET_FALSE_ALARMS:
        problems.append(f"false alarms {rate} > {TARGET_FALSE_ALARMS:.0%}")
    rate = false_alarms(outcomes, ("concerns",))
    if rate.value > TARGET_FALSE_ALARMS_CONCERNS:
        problems.append(f"false alarms on the concerns {rate} > {TARGET_FALSE_ALARMS_CONCERNS:.0%}")
    return problems


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--part", choices=("dev", "heldout", "all", "both"), default="both")
    parser.add_argument("--corpus", type=Path, default=CORPUS_DIR)
    parser.add_argument("--lang", help="only this language")
    parser.add_argument("--misses", action="store_true", help="list every miss and false alarm")
    args = parser.parse_args(argv)
    parts = ("dev", "heldout") if args.part == "both" else (args.part,)
    status = 0
    for part in parts:
        lines = [x for x in load(part, args.corpus) if args.lang in (None, x.lang)]
        outcomes = run(lines)
        print(table(outcomes, f"{part} ({len(lines)} lines)"))
        problems = failures(outcomes)
        print("\nTargets: " + ("all met" if not problems else "; ".join(problems)) + "\n")
        status = status or (1 if problems else 0)
        if args.misses:
            for o in outcomes:
                if (o.line.kinds and not o.hit) or o.alarm:
                    label = "MISS " + ",".join(o.line.kinds) if o.line.kinds else f"ALARM {o.line.group}"
                    print(f"{label:32} {o.line.lang} {o.line.who:12} found={','.join(sorted(o.found)) or '-'} | {o.line.text}")
    return status


if __name__ == "__main__":
    sys.exit(main())
