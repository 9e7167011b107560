"""`cpc-bot deadlines`: the same deadline logic the bot uses, for professionals' own tools."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date, datetime, time

from cpc_bot.clock import LONDON
from cpc_bot.domain.areas import AREAS, ROLES
from cpc_bot.domain.deadlines import Deadline, compute_deadlines, conference_date_warnings


class _Parser(argparse.ArgumentParser):
    def error(self, message: str) -> None:  # one line, exit 2, no usage dump
        print(f"cpc-bot deadlines: {message}", file=sys.stderr)
        raise SystemExit(2)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="cpc-bot deadlines", description="Conference deadlines in working days (England)")
    parser.add_argument("--area", required=True, help=f"one of: {', '.join(AREAS)}")
    parser.add_argument("--kind", required=True, help="initial, review or pre-birth")
    parser.add_argument("--date", required=True, help="conference date, YYYY-MM-DD")
    parser.add_argument("--time", help="conference start, HH:MM (UK time)")
    parser.add_argument("--role", choices=ROLES, help="only the deadlines for this role")
    parser.add_argument("--json", action="store_true", help="print a JSON array")
    return parser


def main(argv: list[str] | None = None) -> int:
    try:
        args = _parser().parse_args(argv)
    except SystemExit as exc:  # --help, or a usage mistake already reported in one line
        return int(exc.code or 0)
    try:
        day = date.fromisoformat(args.date)
    except ValueError:
        print(f"cpc-bot deadlines: {args.date!r} is not a real date (YYYY-MM-DD)", file=sys.stderr)
        return 2
    conference: date | datetime = day
    if args.time:
        try:
            conference = datetime.combine(day, time.fromisoformat(args.time), LONDON)
        except ValueError:
            print(f"cpc-bot deadlines: {args.time!r} is not a time (HH:MM)", file=sys.stderr)
            return 2
    try:
        deadlines = compute_deadlines(args.area, args.kind, conference, role=args.role)
    except ValueError as exc:
        print(f"cpc-bot deadlines: {exc}", file=sys.stderr)
        return 2
    for warning in conference_date_warnings(day):
        print(f"cpc-bot deadlines: warning: {warning}", file=sys.stderr)
    if args.json:
        print(json.dumps([{"key": d.key, "due": d.due.isoformat() if d.due is not None else None, "title": d.title,
                           "shape": d.shape, "working_days": d.working_days, "source": d.source, "when": d.kind,
                           "moved_from": d.moved_from.isoformat() if d.moved_from else None} for d in deadlines], indent=2))
    else:
        for d in deadlines:
            print(_line(d))
    return 0


def _line(d: Deadline) -> str:
    """The English the bot shows, in two columns: when, then what."""
    if d.due is None:
        return f"{'':<22} {d.title}" + (f": {abs(d.amount)} minutes before the start" if d.unit == "minutes" else "")
    due = d.due.strftime("%a %d %b %Y %H:%M") if isinstance(d.due, datetime) else d.due.strftime("%a %d %b %Y")
    if d.shape == "window":
        return f"{due:<22} {d.title} (from this day until the conference)"
    moved = (f" (moved from {d.moved_from.strftime('%a %d %b %Y')}: weekends and bank holidays are not working days)"
             if d.moved_from else "")
    return f"{due:<22} {d.title}{moved}"
