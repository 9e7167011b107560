"""`cpc-bot demo` (what `make demo` runs) as a newcomer sees it in the terminal: the address
last, framed, and not scrolled away by library chatter; Ctrl+C stops it; a second demo on the
same port says why in one line."""

from __future__ import annotations

import asyncio
import io
import os
import re
import signal
import socket
import sys
import tomllib
from pathlib import Path

import aiohttp
import pytest

from cpc_bot.cli import _demo, boxed
from cpc_bot.config import PROJECT_ROOT, ConfigError, load_settings


async def read_until_box(process: asyncio.subprocess.Process, printed: list[str]) -> None:
    assert process.stdout is not None
    while not printed or not printed[-1].startswith("╰"):
        line = await asyncio.wait_for(process.stdout.readline(), 90)
        if not line:
            raise AssertionError("the demo stopped:\n" + "".join(printed))
        printed.append(line.decode())


async def more_lines(process: asyncio.subprocess.Process, seconds: float) -> list[str]:
    assert process.stdout is not None
    lines: list[str] = []
    try:
        while True:
            line = await asyncio.wait_for(process.stdout.readline(), seconds)
            if not line:
                return lines
            lines.append(line.decode())
    except TimeoutError:
        return lines


async def test_the_demo_prints_its_address_last_in_a_box_and_stays_quiet(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CPC_")}
    env.update(CPC_DEMO_PORT="0", PYTHONIOENCODING="utf-8")
    demo = await asyncio.create_subprocess_exec(sys.executable, "-m", "cpc_bot", "demo", cwd=tmp_path, env=env,
                                                stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.STDOUT)
    printed: list[str] = []
    try:
        await read_until_box(demo, printed)
        box = printed[-5:]
        assert box[0].startswith("╭") and box[-1].startswith("╰")
        address = re.search(r"│ CPC Companion demo: open (http://127\.0\.0\.1:(\d+)/) in your browser +│", box[1])
        assert address is not None, box
        assert "Verification codes are printed here (any address @example.org works)" in box[2]
        assert "Ctrl+C stops the demo" in box[3]
        # Before the box: only the bot's own start-up line (no scheduler, font or migration lines).
        assert [line for line in printed[:-5] if line.strip()] == [printed[0]] and "demo.ready" in printed[0]
        async with aiohttp.ClientSession() as client:
            async with client.get(address.group(1)) as answer:
                assert answer.status == 200 and "chat.js" in await answer.text()
            # A first step in the page: one line of the bot's own, then quiet (APScheduler ran every 3 s).
            async with client.post(address.group(1) + "demo/api/say?as=0&lang=en", json={"text": "/start"}) as answer:
                assert answer.status == 200
            after = await more_lines(demo, 4)
        assert len(after) == 1 and "start user=1000" in after[0], after
    finally:
        if demo.returncode is None:
            demo.send_signal(signal.SIGINT)  # Ctrl+C
            await asyncio.wait_for(demo.wait(), 30)
    assert demo.returncode == 0


async def test_a_second_demo_on_the_same_port_says_why_in_one_line() -> None:
    """`cpc-bot` prints a ConfigError as one line ("cpc-bot: ...") and exits with status 2."""
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        with pytest.raises(ConfigError) as refused:
            await _demo(load_settings(demo_port=port))
    assert str(refused.value) == (f"the demo cannot listen on 127.0.0.1:{port}: address already in use. "
                                  "Is it running already? Stop it, or choose another port with CPC_DEMO_PORT.")


def test_the_box_fits_its_longest_line_and_falls_back_to_ascii(monkeypatch: pytest.MonkeyPatch) -> None:
    assert boxed(["one", "three"]).splitlines() == ["╭───────╮", "│ one   │", "│ three │", "╰───────╯"]
    monkeypatch.setattr(sys, "stdout", io.TextIOWrapper(io.BytesIO(), encoding="ascii"))
    assert boxed(["one"]).splitlines() == ["+-----+", "| one |", "+-----+"]


def test_the_licence_is_an_spdx_expression_so_installing_prints_no_warning() -> None:
    """setuptools (77+) printed a "project.license as a TOML table is deprecated" box three times
    on every `pip install -e .`."""
    project = tomllib.loads((PROJECT_ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    assert project["project"]["license"] == "MIT"
    assert "setuptools>=77" in project["build-system"]["requires"][0]
