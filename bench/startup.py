"""Start-up time and memory of ``cpc-bot demo`` (the method of benchmarks/bench_startup.py).

Each run starts ``python -m cpc_bot demo`` in a fresh temporary folder (new SQLite database,
new key file) on a free port, waits for the demo page to answer, sends /start through the
page's API and waits for the bot's first reply. Reported: process start -> first /start
reply, process start -> page ready, and the process's resident memory (VmRSS) half a second
after the reply. The process is terminated (then killed if it lingers) and the folder removed.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from bench.common import temp_dir
from cpc_bot.config import PROJECT_ROOT


@dataclass
class StartupResult:
    ready: float  # process start -> demo page answers
    first_reply: float  # process start -> first /start reply
    rss_mib: float


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _wait_for(url: str, proc: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"cpc-bot demo exited with code {proc.returncode} before answering")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.01)
    raise TimeoutError(url)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_run() -> StartupResult:
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    with temp_dir("cpc-bench-startup-") as folder:
        # Only our settings: a CPC_* variable from the caller's shell must not point the demo elsewhere.
        env = {k: v for k, v in os.environ.items() if not k.startswith("CPC_")}
        env.update({"CPC_DEMO_PORT": str(port), "CPC_LOG_LEVEL": "WARNING",
                    "PYTHONPATH": os.pathsep.join(filter(None, [str(PROJECT_ROOT), env.get("PYTHONPATH")]))})
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "cpc_bot", "demo"], cwd=folder, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        try:
            _wait_for(base + "/", proc)
            ready = time.perf_counter() - started
            request = urllib.request.Request(base + "/demo/api/say", data=json.dumps({"text": "/start"}).encode(),
                                             headers={"Content-Type": "application/json"})
            urllib.request.urlopen(request, timeout=30).read()
            deadline = time.monotonic() + 60
            while True:
                reply = json.loads(urllib.request.urlopen(base + "/demo/api/messages?after=0&wait=5", timeout=30).read())
                if any(m["from_bot"] for m in reply["messages"]):
                    break
                if time.monotonic() > deadline:
                    raise TimeoutError("no reply to /start")
            first_reply = time.perf_counter() - started
            time.sleep(0.5)
            return StartupResult(ready, first_reply, rss_mib(proc.pid))
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
