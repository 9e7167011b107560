"""Ours against the aiogram_dialog peer (issue 16, point 2): the same parents, the same emulator.

Each side runs in its own process (``python -m bench.serve ours|peer``), polling its own fresh
emulator in this process, with its own fresh SQLite file, so the CPU time and memory read from
/proc are that bot's alone (the emulator and the simulated parents are in this process). The
simulated parents are bench/dialog.py's ``Parent``: the same script for both, by button text;
the peer shows the same texts and buttons, so nothing needs mapping. A step counts as finished
when the bot's process says it has finished handling the update (``done <id>`` on its stdout).

Per side: CPU ms per step (the bot process's user + system time during the measured phase /
steps), throughput with N parents at once (a closed loop, as bench/dialog.py), one parent alone
p50 / p99, and the bot process's resident memory (VmRSS, and its peak VmHWM) after the N-parent
run. Rounds are interleaved (ours, peer, ours, peer) so a busy machine slows both alike.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from bench.common import (
    DIALOG_MOMENT,
    StepTimer,
    TimedEmulator,
    UpdateTracker,
    running_emulator,
    temp_dir,
)
from bench.dialog import DialogResult, Parent
from cpc_bot.config import DEMO_TOKEN, PROJECT_ROOT

SIDES = ("ours", "peer")
_TICKS = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (/proc/<pid>/stat, fields 14 and 15)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / _TICKS


def memory_mib(pid: int) -> tuple[float, float]:
    """(VmRSS, VmHWM) of a process in MiB."""
    values: dict[str, float] = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0]) / 1024
    return values["VmRSS"], values["VmHWM"]


class ProcessTracker(UpdateTracker):
    """Knows when the bot in the other process has finished each update (its stdout lines),
    with :class:`UpdateTracker`'s ``wait``, so the same :class:`StepTimer` measures both sides."""

    def __init__(self) -> None:
        super().__init__()
        self.ready: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.summary: dict[str, Any] = {}

    def feed(self, line: str) -> None:
        word, _, rest = line.partition(" ")
        if word == "ready" and not self.ready.done():
            self.ready.set_result(None)
        elif word in ("done", "failed"):
            self.errors += word == "failed"
            future = self._future(int(rest))
            if not future.done():
                future.set_result(time.perf_counter())
        elif word == "summary":
            self.summary = json.loads(rest)

    async def read(self, stream: asyncio.StreamReader) -> None:
        async for raw in stream:
            self.feed(raw.decode().strip())


@dataclass
class SideResult:
    side: str
    dialog: DialogResult
    cpu_seconds: float
    rss_mib: float
    peak_mib: float
    warnings: dict[str, int] = field(default_factory=dict)
    refused: list[str] = field(default_factory=list)  # the emulator's reasons, the first few

    @property
    def cpu_ms_per_step(self) -> float:
        return self.cpu_seconds * 1000 / self.dialog.steps if self.dialog.steps else float("nan")


@contextlib.asynccontextmanager
async def bot_process(side: str, api_base: str, folder: Path) -> Any:
    """Start ``python -m bench.serve <side>``; yield (process, tracker) once it polls; stop it."""
    log = (folder / f"{side}.log").open("wb")
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bench.serve", side, api_base, str(folder), cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONPATH": str(PROJECT_ROOT), "BENCH_BOT_TOKEN": DEMO_TOKEN,
             "BENCH_MOMENT": DIALOG_MOMENT.isoformat()}, stdout=asyncio.subprocess.PIPE, stderr=log)
    tracker = ProcessTracker()
    assert process.stdout is not None
    reader = asyncio.create_task(tracker.read(process.stdout))
    try:
        done, _ = await asyncio.wait({tracker.ready, reader}, timeout=120, return_when=asyncio.FIRST_COMPLETED)
        if tracker.ready not in done:
            raise RuntimeError(f"{side}: the bot process did not start; its log: {_tail(folder / f'{side}.log')}")
        yield process, tracker
    finally:
        if process.returncode is None:
            process.send_signal(signal.SIGTERM)
            try:
                await asyncio.wait_for(process.wait(), 30)
            except TimeoutError:
                process.kill()
                await process.wait()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(reader, 10)
        log.close()


def _tail(path: Path, lines: int = 8) -> str:
    try:
        return " | ".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(none)"


async def run_side(side: str, users: int, steps: int) -> SideResult:
    """One side in its own process: ``users`` parents set up (not timed), then ``steps`` each (timed)."""
    with temp_dir(f"cpc-bench-{side}-") as folder:
        async with running_emulator(TimedEmulator()) as emulator, bot_process(side, emulator.base_url, folder) as (process, tracker):
            timer = StepTimer(emulator, tracker)
            parents = [Parent(emulator=emulator, timer=timer, user_id=700_001 + i) for i in range(users)]
            await asyncio.gather(*(p.setup() for p in parents))
            cpu_before = cpu_seconds(process.pid)
            started = time.perf_counter()
            await asyncio.gather(*(p.run(steps) for p in parents))
            seconds = time.perf_counter() - started
            cpu = cpu_seconds(process.pid) - cpu_before
            rss, peak = memory_mib(process.pid)
            refused = [f"{method}: {why}" for method, why in emulator.rejected[:3]]
        label = "ours (cpc_bot)" if side == "ours" else "peer (aiogram_dialog)"
        result = DialogResult(label, users, len(timer.latencies), seconds, timer.latencies, timer.silent,
                              tracker.errors, len(emulator.rejected), [p.kinds for p in parents],
                              sum(p.recoveries for p in parents))
        warnings = tracker.summary.get("warnings", {})
        return SideResult(side, result, cpu, rss, peak, warnings, refused)


@dataclass
class PeerRound:
    crowd: dict[str, SideResult]  # N parents at once
    single: dict[str, SideResult]  # one parent alone


async def run_round(users: int, steps: int, single_steps: int) -> PeerRound:
    """One interleaved round: ours then the peer with ``users`` parents, then each with one."""
    crowd = {side: await run_side(side, users, steps) for side in SIDES}
    single = {side: await run_side(side, 1, single_steps) for side in SIDES}
    return PeerRound(crowd, single)
