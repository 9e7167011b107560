"""One look through a real browser (Debian's chromium over the DevTools protocol, skipped where it
is not installed): a phone-sized (390x844) question page with no script at all, "Leave this page"
in view, and the screenshot kept for a person to look at (CPC_SCREENSHOTS=dir keeps it)."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from aiohttp.test_utils import TestServer

from tests.emulator.browser import CHROMIUM, Browser
from tests.web.test_web_chat import core, server  # noqa: F401 - the fixtures

pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="Debian's chromium is not installed")


async def test_a_question_on_a_phone(server: TestServer, tmp_path: Path) -> None:  # noqa: F811
    base = f"http://127.0.0.1:{server.port}"
    async with Browser(tmp_path / "profile") as browser:
        await browser.send("Emulation.setDeviceMetricsOverride", width=390, height=844, deviceScaleFactor=1, mobile=True)
        await browser.goto(base + "/")
        await browser.wait_for("!!document.querySelector('form[action=\"/start\"] button')")
        await browser.js("document.querySelector('form[action=\"/start\"] button').click()")
        await browser.wait_for("location.pathname === '/code'")
        await browser.js("document.querySelector('a.button.main').click()")
        await browser.wait_for("location.pathname === '/q' && !!document.querySelector('button.main')")
        await browser.js("document.querySelector('button.main').click()")  # Next
        await browser.wait_for("!!document.querySelector('#text')")
        await browser.js("document.querySelector('#text').value = '<b>30/12/2026</b>'")
        await browser.js("document.querySelector('form.typing button').click()")
        await browser.wait_for("document.body.innerText.includes('read that as a date')")
        shown = await browser.js("document.body.innerText")
        assert "I couldn't read that as a date" in shown and "When is the conference?" in shown
        assert await browser.js("document.scripts.length") == 0
        leave = await browser.js("JSON.stringify(document.querySelector('a.leave').getBoundingClientRect())")
        assert '"top":' in leave
        box = await browser.js("(() => { const r = document.querySelector('a.leave').getBoundingClientRect();"
                               " return r.top >= 0 && r.bottom <= 844 && r.height >= 24 && r.width >= 24; })()")
        assert box is True
        await browser.screenshot(tmp_path / "question.png")
        keep = os.environ.get("CPC_SCREENSHOTS")
        if keep:
            shutil.copy(tmp_path / "question.png", Path(keep) / "web-question-390x844.png")
