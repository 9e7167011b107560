"""Real ``cpc-bot run`` processes in webhook mode behind the round-robin proxy, on loopback.

The deploy/ topology without Docker, for the two-worker test and the benchmark: the
emulator plays Telegram and POSTs each update to the proxy, which hands them to the
workers in turn; the workers share one database and one Redis.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import socket
import subprocess
import sys
from collections.abc import AsyncIterator
from pathlib import Path

from cpc_bot.config import DEMO_TOKEN, PROJECT_ROOT
from cpc_bot.emulator.balancer import RoundRobin
from cpc_bot.store.crypto import new_key


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


async def _listening(port: int, process: subprocess.Popen[bytes], timeout: float = 60) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while asyncio.get_running_loop().time() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"worker exited with {process.returncode}")
        try:
            _reader, writer = await asyncio.open_connection("127.0.0.1", port)
        except OSError:
            await asyncio.sleep(0.1)
            continue
        writer.close()
        return
    raise RuntimeError(f"worker on port {port} did not start")


@contextlib.asynccontextmanager
async def webhook_workers(count: int, api_base: str, database_url: str, redis_url: str, *, redis_prefix: str = "cpc",
                          logs: list[Path] | None = None, log_level: str = "INFO",
                          rate_burst: int | None = None) -> AsyncIterator[RoundRobin]:
    """Start ``count`` workers (logs to ``logs`` if given) and the proxy; stop them all afterwards.
    ``rate_burst``: the per-person limit (``CPC_RATE_BURST``; 0 none), else the default."""
    ports = [free_port() for _ in range(count)]
    proxy = RoundRobin([f"http://127.0.0.1:{port}" for port in ports])
    await proxy.start()
    env = {**os.environ, "CPC_BOT_TOKEN": DEMO_TOKEN, "CPC_TELEGRAM_API_BASE": api_base,
           "CPC_DATABASE_URL": database_url, "CPC_REDIS_URL": redis_url, "CPC_REDIS_PREFIX": redis_prefix,
           "CPC_ENCRYPTION_KEYS": new_key(),
           "CPC_WEBHOOK_URL": proxy.url, "CPC_WEBHOOK_SECRET": "loopback-secret", "CPC_LOG_LEVEL": log_level}
    if rate_burst is not None:
        env["CPC_RATE_BURST"] = str(rate_burst)
    processes: list[subprocess.Popen[bytes]] = []
    try:
        for index, port in enumerate(ports):
            out = logs[index].open("wb") if logs else subprocess.DEVNULL
            try:
                processes.append(subprocess.Popen([sys.executable, "-m", "cpc_bot", "run"], cwd=PROJECT_ROOT,
                                                  env={**env, "CPC_WEBHOOK_PORT": str(port)}, stdout=out, stderr=out))
            finally:
                if logs:
                    out.close()  # type: ignore[union-attr]  # the child keeps its own handle
        for port, process in zip(ports, processes, strict=True):
            await _listening(port, process)
        yield proxy
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            try:
                process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                process.kill()
        await proxy.stop()
