"""Start-up time, memory and reply latency of `cpc-bot demo` (run by hand, not in the tests).

    .venv/bin/python benchmarks/bench_startup.py [runs]

Each run starts a fresh demo in a temporary folder (new database, new key), waits for the
web page to answer, sends /start through the page's API, times the reply, then reads the
process's resident memory.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

PORT = 8199
BASE = f"http://127.0.0.1:{PORT}"


def wait_for(url: str, timeout: float = 30) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except OSError:
            time.sleep(0.02)
    raise TimeoutError(url)


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def one_run() -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as folder:
        env = {**os.environ, "CPC_DEMO_PORT": str(PORT), "CPC_LOG_LEVEL": "WARNING"}
        started = time.perf_counter()
        proc = subprocess.Popen([sys.executable, "-m", "cpc_bot", "demo"], cwd=folder, env=env,
                                stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        try:
            wait_for(BASE + "/")
            ready = time.perf_counter() - started
            sent = time.perf_counter()
            request = urllib.request.Request(BASE + "/demo/api/say", data=json.dumps({"text": "/start"}).encode(),
                                             headers={"Content-Type": "application/json"})
            urllib.request.urlopen(request).read()
            while True:
                reply = json.loads(urllib.request.urlopen(BASE + "/demo/api/messages?after=0&wait=5").read())
                if any(m["from_bot"] for m in reply["messages"]):
                    break
            latency = time.perf_counter() - sent
            time.sleep(0.5)
            return ready, latency, rss_mib(proc.pid)
        finally:
            proc.terminate()
            proc.wait(10)


def main() -> None:
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 3
    results = [one_run() for _ in range(runs)]
    for name, index, unit in (("start-up to page ready", 0, "s"), ("first /start reply", 1, "s"), ("resident memory", 2, "MiB")):
        values = [r[index] for r in results]
        print(f"{name}: median {statistics.median(values):.3f} {unit} (min {min(values):.3f}, max {max(values):.3f}, n={runs})")


if __name__ == "__main__":
    main()
