"""Run every benchmark and print one markdown table of medians.

    cd /work/main && .venv/bin/python -m bench.run [--quick] [--runs N] [--only dialog,reminders,pdf,startup,peer]

See bench/README.md for what each row means and how latency is measured.
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import statistics
import sys
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from bench.common import COLLECTOR, cancel_leftover_tasks, quiet_logging, servers_available


def _say(text: str = "", *, file: Any = None) -> None:
    """One line of output (stdout unless ``file``), flushed."""
    stream = file or sys.stdout
    stream.write(f"{text}\n")
    stream.flush()

SECTIONS = ("dialog", "reminders", "pdf", "startup")
#: Run only when named in --only: the aiogram_dialog peer needs the `bench` extra.
OPTIONAL_SECTIONS = ("peer",)

TARGET_P99_MS = 25.0
TARGET_ECHO_RATIO = 0.5
TARGET_TWO_WORKERS = 1.6
TARGET_REMINDER_PERCENT = 95.0
TARGET_PDF_MS = 300.0
TARGET_PEER_THROUGHPUT = 1.0


@dataclass
class Config:
    runs: int
    users: int
    steps: int
    single_steps: int
    paced_users: int
    paced_steps: int
    think: float
    reminders: int
    reminder_rate: int
    binding_reminders: int
    binding_rate: int
    pdf_repeats: int
    workers: int
    sections: tuple[str, ...]
    verbose: bool


@dataclass
class Row:
    number: str
    what: str
    figure: str
    target: str = "—"
    verdict: str = ""


@dataclass
class Report:
    rows: list[Row] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    def add(self, *args: str) -> None:
        self.rows.append(Row(*args))


def med(values: list[float]) -> float:
    return statistics.median(values) if values else float("nan")


def spread(values: list[float], fmt: str) -> str:
    """ "median" or "median (min–max)" when there was more than one run."""
    if len(values) <= 1:
        return format(med(values), fmt)
    return f"{format(med(values), fmt)} ({format(min(values), fmt)}–{format(max(values), fmt)})"


def verdict(ok: bool | None) -> str:
    return "N/A" if ok is None else ("PASS" if ok else "FAIL")


def _run_async(factory: Callable[[], Any]) -> Any:
    """Each benchmark in its own event loop; anything left running is cancelled and counted."""
    leftovers: list[int] = []

    async def main() -> Any:
        try:
            return await factory()
        finally:
            leftovers.append(await cancel_leftover_tasks())

    result = asyncio.run(main())
    if leftovers and leftovers[0]:
        _say(f"  (cancelled {leftovers[0]} task(s) left running)", file=sys.stderr)
    return result


def _progress(message: str) -> None:
    _say(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr)


def _failure(report: Report, number: str, what: str, exc: BaseException, cfg: Config) -> None:
    report.add(number, what, f"FAILED: {type(exc).__name__}: {str(exc).splitlines()[0][:150] if str(exc) else ''}", "", "FAIL")
    if cfg.verbose:
        traceback.print_exception(exc)


# ------------------------------------------------------------------ dialog + echo
def bench_dialog(cfg: Config, report: Report) -> None:
    from bench.dialog import run_ours, run_ours_two_workers
    from bench.echo import run_echo

    pg_problem = _run_async(servers_available)
    results: dict[str, list[Any]] = {"sqlite": [], "pg": [], "echo_sqlite": [], "echo_pg": [], "single": [],
                                     "paced": [], "paced_pg": []}
    failures: dict[str, BaseException] = {}

    def attempt(key: str, factory: Callable[[], Any]) -> Any:
        if key in failures:
            return None
        try:
            result = _run_async(factory)
        except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
            failures[key] = exc
            return None
        results[key].append(result)
        return result

    for run in range(cfg.runs):
        _progress(f"dialog run {run + 1}/{cfg.runs}: {cfg.users} parents x {cfg.steps} steps on SQLite")
        ours = attempt("sqlite", lambda: run_ours(cfg.users, cfg.steps, "sqlite"))
        _progress("  echo bot, same load")
        plans = ours.kinds if ours else None
        attempt("echo_sqlite", lambda plans=plans: run_echo(cfg.users, cfg.steps, plans))
        if pg_problem is None:
            _progress(f"  {cfg.users} parents x {cfg.steps} steps on PostgreSQL + Redis")
            ours_pg = attempt("pg", lambda: run_ours(cfg.users, cfg.steps, "pg"))
            if ours_pg is not None:
                attempt("echo_pg", lambda plans=ours_pg.kinds: run_echo(cfg.users, cfg.steps, plans))
        _progress(f"  1 parent x {cfg.single_steps} steps on SQLite (no queueing)")
        attempt("single", lambda: run_ours(1, cfg.single_steps, "sqlite"))
        _progress(f"  {cfg.paced_users} parents x {cfg.paced_steps} steps, {cfg.think:g} s to think, on SQLite")
        attempt("paced", lambda: run_ours(cfg.paced_users, cfg.paced_steps, "sqlite", think=cfg.think))
        if pg_problem is None:
            _progress("  the same on PostgreSQL + Redis")
            attempt("paced_pg", lambda: run_ours(cfg.paced_users, cfg.paced_steps, "pg", think=cfg.think))

    def dialog_rows(key: str, number: str, title: str) -> None:
        rs = results[key]
        if key in failures and not rs:
            _failure(report, number, title, failures[key], cfg)
            return
        if not rs:
            report.add(number, title, f"skipped: PostgreSQL/Redis not available ({pg_problem})", "", "N/A")
            return
        steps = rs[0].steps
        errors = sum(r.errors for r in rs)
        recoveries = sum(r.recoveries for r in rs)
        p99s = [r.p99_ms for r in rs]
        who = f"{rs[0].users} parent{'s' if rs[0].users != 1 else ''}"
        report.add(number, f"{title}: throughput ({who}, {steps} steps/run)",
                   f"{spread([r.throughput for r in rs], '.1f')} steps/s")
        paced = key.startswith("paced")
        report.add(number, f"{title}: latency per step p50 / p99",
                   f"{med([r.p50_ms for r in rs]):.1f} / {spread(p99s, '.1f')} ms",
                   f"p99 < {TARGET_P99_MS:.0f} ms" if paced else "(info)",
                   verdict(med(p99s) < TARGET_P99_MS) if paced else "")
        silent = sum(r.silent for r in rs)
        if silent:
            report.notes.append(f"{title}: {silent} step(s) got no reply at all (timed to 'handled' instead).")
        if errors or recoveries:
            report.notes.append(f"{title}: {errors} update(s) failed in the bot across {len(rs)} run(s) "
                                f"(the parent got 'Sorry, something went wrong' and carried on after /start; "
                                f"{recoveries} recoveries). See the log summary below.")

    dialog_rows("sqlite", "1", "Dialog, SQLite, 1 worker")
    dialog_rows("pg", "1", "Dialog, PostgreSQL + Redis, 1 worker")
    dialog_rows("single", "1", "Dialog, SQLite, 1 parent alone")
    dialog_rows("paced", "1", f"Dialog, SQLite, 1 worker, parents pausing {cfg.think:g} s between steps")
    dialog_rows("paced_pg", "1", f"Dialog, PostgreSQL + Redis, 1 worker, parents pausing {cfg.think:g} s between steps")

    for key, ours_key, label in (("echo_sqlite", "sqlite", "SQLite"), ("echo_pg", "pg", "PostgreSQL + Redis")):
        rs = results[key]
        if key in failures and not rs:
            _failure(report, "2", f"Echo bot (load of the {label} run)", failures[key], cfg)
            continue
        if not rs:
            continue
        report.add("2", f"Echo bot, same load as the {label} run: throughput; p50 / p99",
                   f"{spread([r.throughput for r in rs], '.1f')} steps/s; "
                   f"{med([r.p50_ms for r in rs]):.1f} / {med([r.p99_ms for r in rs]):.1f} ms")
        pairs = list(zip(results[ours_key], rs, strict=False))
        ratios = [o.throughput / e.throughput for o, e in pairs]
        if ratios:
            report.add("2", f"Ours / echo throughput ({label})", f"{spread(ratios, '.2f')}x",
                       f">= {TARGET_ECHO_RATIO}x", verdict(med(ratios) >= TARGET_ECHO_RATIO))

    # Two workers.
    if cfg.workers != 2:
        report.add("—", "Two workers / one worker throughput (PostgreSQL + Redis)", "N/A (skipped: --workers 1)",
                   f">= {TARGET_TWO_WORKERS}x", "N/A")
        return
    try:
        # Separate processes behind a round-robin proxy (webhooks), one worker then two, measured alike.
        one, two = _run_async(lambda: run_ours_two_workers(cfg.users, cfg.steps, "pg"))
        for result in (one, two):
            report.add("—", f"Dialog, {result.label}: throughput; p50 / p99",
                       f"{result.throughput:.1f} steps/s; {result.p50_ms:.1f} / {result.p99_ms:.1f} ms")
        ratio = two.throughput / one.throughput if one.throughput else float("nan")
        report.add("—", "Two workers / one worker throughput (PostgreSQL + Redis)", f"{ratio:.2f}x "
                   f"({two.throughput:.1f} vs {one.throughput:.1f} steps/s)", f">= {TARGET_TWO_WORKERS}x",
                   verdict(ratio >= TARGET_TWO_WORKERS))
    except Exception as exc:  # noqa: BLE001
        _failure(report, "—", "Two workers / one worker throughput", exc, cfg)


# ------------------------------------------------------------------ reminders
def bench_reminders(cfg: Config, report: Report) -> None:
    _reminder_rows(cfg, report, "3", cfg.reminders, cfg.reminder_rate)
    if cfg.binding_rate > 0:
        _reminder_rows(cfg, report, "3b", cfg.binding_reminders, cfg.binding_rate)


def _reminder_rows(cfg: Config, report: Report, number: str, count: int, rate: int) -> None:
    from bench.reminders import run_reminders

    results = []
    for run in range(cfg.runs):
        _progress(f"reminders run {run + 1}/{cfg.runs}: {count} due, limit {rate}/s")
        try:
            results.append(_run_async(lambda: run_reminders(count, rate, "sqlite")))
        except Exception as exc:  # noqa: BLE001
            _failure(report, number, f"Reminder delivery, {count} at {rate}/s", exc, cfg)
            return
    percents = [r.percent_of_rate for r in results]
    lost = sum(r.missing for r in results)
    doubled = sum(r.doubled for r in results)
    refused = [r.refused_429 for r in results]
    handled = all(r.all_handled for r in results) and all(r.retry_after_logged == r.refused_429 for r in results)
    title = f"Reminders: {count} due, sender + emulator limit {rate}/s (SQLite)"
    report.add(number, f"{title}: time; achieved rate",
               f"{spread([r.seconds for r in results], '.1f')} s; {med([r.achieved for r in results]):.1f}/s "
               f"= {spread(percents, '.1f')}% of {rate}/s",
               f">= {TARGET_REMINDER_PERCENT:.0f}% of the rate", verdict(med(percents) >= TARGET_REMINDER_PERCENT))
    report.add(number, f"Reminders at {rate}/s: sent exactly once / missing / twice (all runs)",
               f"{sum(r.sent_once for r in results)} / {lost} / {doubled}", "none lost or doubled",
               verdict(lost == 0 and doubled == 0))
    report.add(number, f"Reminders at {rate}/s: 429s returned by the emulator; all handled?",
               f"{med(refused):.0f} per run (max {max(refused)}); {'yes' if handled else 'NO'}",
               "every reminder finally sent", verdict(handled))
    for r in results:
        if r.timed_out or r.statuses.get("sent", 0) != r.count:
            report.notes.append(f"Reminder run: statuses at the end {r.statuses}, timed out: {r.timed_out}")


# ------------------------------------------------------------------ PDF
def bench_pdf(cfg: Config, report: Report) -> None:
    from bench.pdf import run_pdf

    for locale, name in (("en", "English"), ("ur", "Urdu"), ("bn", "Bengali")):
        _progress(f"PDF {name}: {cfg.pdf_repeats} renders")
        try:
            r = run_pdf(locale, cfg.pdf_repeats)
        except Exception as exc:  # noqa: BLE001
            _failure(report, "4", f"PDF, full parents' report, {name}", exc, cfg)
            continue
        report.add("4", f"PDF, full parents' report, {name} ({r.pages} pages, {r.size // 1024} KiB): "
                   f"median of {len(r.times)}", f"{spread([t * 1000 for t in r.times], '.0f')} ms "
                   f"(cold first render {r.cold * 1000:.0f} ms)",
                   f"< {TARGET_PDF_MS:.0f} ms", verdict(r.median_ms < TARGET_PDF_MS))


# ------------------------------------------------------------------ start-up
def bench_startup(cfg: Config, report: Report) -> None:
    from bench.startup import one_run

    results = []
    for run in range(cfg.runs):
        _progress(f"start-up run {run + 1}/{cfg.runs}: cpc-bot demo")
        try:
            results.append(one_run())
        except Exception as exc:  # noqa: BLE001
            _failure(report, "5", "Start-up (cpc-bot demo)", exc, cfg)
            return
    report.add("5", "Start-up: process start -> first /start reply (page ready)",
               f"{spread([r.first_reply for r in results], '.2f')} s "
               f"({med([r.ready for r in results]):.2f} s)", "(info)")
    report.add("5", "Resident memory after the first reply (VmRSS)",
               f"{spread([r.rss_mib for r in results], '.0f')} MiB", "(info)")


# ------------------------------------------------------------------ the aiogram_dialog peer
def bench_peer(cfg: Config, report: Report) -> None:
    """Ours and the peer, each in its own process, in interleaved rounds (bench/peer_dialog.py)."""
    try:
        import aiogram_dialog  # noqa: F401 - only to say it is missing
    except ImportError:
        report.add("6", "Ours / the aiogram_dialog peer", "skipped: aiogram_dialog is not installed "
                   "(pip install -e '.[bench]')", "", "N/A")
        return
    from importlib.metadata import version

    from bench.peer_dialog import SIDES, run_side

    report.notes.append(f"Peer: aiogram_dialog {version('aiogram-dialog')}; each bot in its own process polling its own "
                        "emulator (in this process, with the simulated parents); CPU and memory are that process's "
                        "(/proc); rounds interleaved ours, peer.")

    crowd: dict[str, list[Any]] = {side: [] for side in SIDES}
    single: dict[str, list[Any]] = {side: [] for side in SIDES}
    try:
        for run in range(cfg.runs):
            for side in SIDES:
                _progress(f"peer run {run + 1}/{cfg.runs}: {side}, {cfg.users} parents x {cfg.steps} steps, own process")
                crowd[side].append(_run_async(lambda side=side: run_side(side, cfg.users, cfg.steps)))
            for side in SIDES:
                _progress(f"  {side}, 1 parent x {cfg.single_steps} steps")
                single[side].append(_run_async(lambda side=side: run_side(side, 1, cfg.single_steps)))
    except Exception as exc:  # noqa: BLE001 - one broken benchmark must not hide the others
        _failure(report, "6", "Ours / the aiogram_dialog peer", exc, cfg)
        return

    def pair(results: dict[str, list[Any]], figure: Callable[[Any], float], fmt: str, unit: str) -> str:
        ours, peer = ([figure(r) for r in results[side]] for side in SIDES)
        ratios = [o / p if p else float("nan") for o, p in zip(ours, peer, strict=True)]
        return f"{spread(ours, fmt)} / {spread(peer, fmt)} {unit} = {spread(ratios, '.2f')}x"

    who = f"{cfg.users} parents"
    report.add("6", f"CPU per step, bot process, {who}: ours / peer",
               pair(crowd, lambda r: r.cpu_ms_per_step, ".1f", "ms"), "(info)")
    throughput = [o.dialog.throughput / p.dialog.throughput for o, p in zip(crowd["ours"], crowd["peer"], strict=True)]
    report.add("6", f"Throughput, {who} x {cfg.steps} steps: ours / peer",
               pair(crowd, lambda r: r.dialog.throughput, ".1f", "steps/s"),
               f">= {TARGET_PEER_THROUGHPUT:.1f}x", verdict(med(throughput) >= TARGET_PEER_THROUGHPUT))
    report.add("6", f"Latency p50 / p99, {who} (queueing; info): ours / peer",
               f"{med([r.dialog.p50_ms for r in crowd['ours']]):.1f} / {med([r.dialog.p99_ms for r in crowd['ours']]):.1f}"
               f" ms; {med([r.dialog.p50_ms for r in crowd['peer']]):.1f} / {med([r.dialog.p99_ms for r in crowd['peer']]):.1f} ms",
               "(info)")
    report.add("6", f"One parent alone, {cfg.single_steps} steps, p50: ours / peer",
               pair(single, lambda r: r.dialog.p50_ms, ".1f", "ms"), "(info)")
    p99 = [o.dialog.p99_ms / p.dialog.p99_ms for o, p in zip(single["ours"], single["peer"], strict=True)]
    report.add("6", f"One parent alone, {cfg.single_steps} steps, p99: ours / peer",
               pair(single, lambda r: r.dialog.p99_ms, ".1f", "ms"), "ours <= peer (<= 1.0x)", verdict(med(p99) <= 1.0))
    report.add("6", f"Memory per worker, VmRSS after the {who} run (peak): ours / peer",
               f"{spread([r.rss_mib for r in crowd['ours']], '.0f')} ({max(r.peak_mib for r in crowd['ours']):.0f}) / "
               f"{spread([r.rss_mib for r in crowd['peer']], '.0f')} ({max(r.peak_mib for r in crowd['peer']):.0f}) MiB",
               "(info)")
    for results in (crowd, single):
        for ours, peer in zip(results["ours"], results["peer"], strict=True):
            if ours.dialog.kinds != peer.dialog.kinds:
                report.notes.append(f"Peer: with {ours.dialog.users} parent(s) the two bots led the script to different "
                                    "steps (typed / tapped): the sides did not do the same work.")
        for side in SIDES:
            for r in results[side]:
                d = r.dialog
                if d.errors or d.rejected or d.recoveries or d.silent:
                    report.notes.append(f"Peer, {d.label}, {d.users} parent(s): {d.errors} failed update(s), "
                                        f"{d.rejected} call(s) the emulator refused, {d.recoveries} recoveries, "
                                        f"{d.silent} step(s) without a reply." +
                                        (f" Refused: {'; '.join(r.refused)}" if r.refused else ""))
                for key, count in r.warnings.items():
                    if "signal" not in key:  # the SIGTERM that stops the process
                        report.notes.append(f"Peer, {d.label}: logged {count} x {key}")


# ------------------------------------------------------------------ output
def print_table(report: Report, cfg: Config, started: float, load_before: tuple[float, ...]) -> None:
    import aiogram

    load_after = os.getloadavg()
    _say()
    _say(f"CPC Companion benchmark — {time.strftime('%Y-%m-%d %H:%M')}, {cfg.runs} run(s), medians "
          f"(min–max over runs); Python {platform.python_version()}, aiogram {aiogram.__version__}, "
          f"{os.cpu_count()} CPUs; load average {load_before[0]:.2f} before, {load_after[0]:.2f} after; "
          f"took {time.perf_counter() - started:.0f} s")
    _say()
    _say("| # | Measure | Figure | Target | Verdict |")
    _say("|---|---|---|---|---|")
    for row in report.rows:
        _say(f"| {row.number} | {row.what} | {row.figure} | {row.target} | {row.verdict} |")
    _say()
    if load_before[0] > 0.5 or load_after[0] > 1.5:
        report.notes.append(f"The machine was busy (load average {load_before[0]:.2f} at the start, "
                            f"{load_after[0]:.2f} at the end, on {os.cpu_count()} CPUs): figures are slower than "
                            "on an idle machine.")
    for note in report.notes:
        _say(f"- {note}")
    if COLLECTOR.counts:
        _say(f"- Warnings/errors logged during the runs ({COLLECTOR.total}; --verbose prints them as they happen):")
        for key, count in sorted(COLLECTOR.counts.items(), key=lambda kv: -kv[1])[:12]:
            _say(f"  - {count} x {key}")


def parse(argv: list[str] | None) -> Config:
    parser = argparse.ArgumentParser(prog="python -m bench.run", description="CPC Companion benchmark")
    parser.add_argument("--quick", action="store_true", help="1 run, fewer steps and reminders")
    parser.add_argument("--runs", type=int, help="runs per measure (default 3, --quick 1)")
    parser.add_argument("--users", type=int, default=20, help="concurrent simulated parents (default 20)")
    parser.add_argument("--paced-users", type=int, default=100,
                        help="parents in the latency run, each pausing --think seconds between steps (default 100)")
    parser.add_argument("--think", type=float, default=2.0, help="mean pause between steps in the latency run (default 2 s)")
    parser.add_argument("--steps", type=int, help="measured steps per parent (default 40, --quick 20)")
    parser.add_argument("--reminders", type=int, help="due reminders (default 10000, --quick 2000)")
    parser.add_argument("--rate", type=int, default=300, help="overall messages/s for the sender and the emulator")
    parser.add_argument("--binding-rate", type=int, default=10,
                        help="a second, short reminder run (200 reminders) at a rate the sender can reach (default 10/s; 0: skip)")
    parser.add_argument("--workers", type=int, choices=(1, 2), default=2,
                        help="2 (default): also measure one and two worker processes behind a proxy; 1: skip that")
    parser.add_argument("--only", default=",".join(SECTIONS),
                        help=f"comma-separated subset of {','.join(SECTIONS + OPTIONAL_SECTIONS)} "
                             f"(default: all but {','.join(OPTIONAL_SECTIONS)})")
    parser.add_argument("--verbose", action="store_true", help="print warnings, errors and tracebacks as they happen")
    args = parser.parse_args(argv)
    sections = tuple(s.strip() for s in args.only.split(",") if s.strip())
    unknown = set(sections) - set(SECTIONS) - set(OPTIONAL_SECTIONS)
    if unknown:
        parser.error(f"unknown section(s): {', '.join(sorted(unknown))}")
    return Config(
        runs=args.runs or (1 if args.quick else 3),
        users=args.users,
        steps=args.steps or (20 if args.quick else 40),
        single_steps=30 if args.quick else 60,
        paced_users=args.paced_users,
        paced_steps=10 if args.quick else 20,
        think=args.think,
        reminders=args.reminders or (2000 if args.quick else 10_000),
        reminder_rate=args.rate,
        binding_reminders=200,
        binding_rate=args.binding_rate,
        pdf_repeats=5,
        workers=args.workers,
        sections=sections,
        verbose=args.verbose,
    )


def main(argv: list[str] | None = None) -> int:
    cfg = parse(argv)
    quiet_logging(cfg.verbose)
    started = time.perf_counter()
    load_before = os.getloadavg()
    report = Report()
    benches = {"dialog": bench_dialog, "reminders": bench_reminders, "pdf": bench_pdf, "startup": bench_startup,
               "peer": bench_peer}
    for section in SECTIONS + OPTIONAL_SECTIONS:
        if section in cfg.sections:
            benches[section](cfg, report)
    print_table(report, cfg, started, load_before)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
