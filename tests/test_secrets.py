"""Secrets and files: what goes into the image and git, who may read the database and the key,
a lost key never replaced over encrypted answers, and the bot token never in a log line."""

from __future__ import annotations

import io
import logging
import os
import re
import stat
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from cpc_bot.app import build_app
from cpc_bot.clock import FrozenClock
from cpc_bot.config import DEMO_TOKEN, PROJECT_ROOT, ConfigError, Settings
from cpc_bot.emulator.server import FILE_DOWNLOAD, BotApiEmulator
from cpc_bot.redaction import RedactSecrets, install
from cpc_bot.store.crypto import new_key
from cpc_bot.store.database import create_engine
from tests.children.test_children import drawing, open_booklet
from tests.helpers import BotHarness, make_settings, open_prepare

TOKEN = "123456789:AAHdqTcvCH1vGWJxfSeofSAs0K5PALDsaw"
CHILD = 7101
PARENT = 7102


@pytest.fixture
def umask_022() -> Iterator[None]:
    """The usual umask, whatever the test machine has: files are world-readable unless made otherwise."""
    old = os.umask(0o022)
    yield
    os.umask(old)


def mode(path: Path | str) -> int:
    return stat.S_IMODE(os.stat(path).st_mode)


# ------------------------------------------------------------------- image and git
def dockerignore_excludes(patterns: list[str], path: str) -> bool:
    """Docker's rules (moby/patternmatcher): patterns are matched from the build context's root,
    ``**`` spans folders, a pattern that matches a folder excludes what is in it, ``!`` keeps
    again, and the last matching line wins."""
    excluded = False
    for line in patterns:
        keep = line.startswith("!")
        pattern = line[1:] if keep else line
        pattern = os.path.normpath(pattern.strip("/"))
        regex = ""
        i = 0
        while i < len(pattern):
            if pattern.startswith("**/", i):
                regex, i = regex + "(?:.*/)?", i + 3
            elif pattern.startswith("**", i):
                regex, i = regex + ".*", i + 2
            elif pattern[i] == "*":
                regex, i = regex + "[^/]*", i + 1
            elif pattern[i] == "?":
                regex, i = regex + "[^/]", i + 1
            else:
                regex, i = regex + re.escape(pattern[i]), i + 1
        parts = path.split("/")
        if any(re.fullmatch(regex, "/".join(parts[:n])) for n in range(1, len(parts) + 1)):
            excluded = not keep
    return excluded


def test_settings_databases_and_keys_stay_out_of_the_image() -> None:
    lines = [line.strip() for line in (PROJECT_ROOT / ".dockerignore").read_text().splitlines()]
    patterns = [line for line in lines if line and not line.startswith("#")]
    for secret in ("deploy/settings.env", "settings.env", ".env", "x.db", "cpc_bot.db", "cpc_bot.db-wal",
                   "data/cpc_bot.db", "cpc.key", "cpc_bot.key", "deploy/cpc.key", "x.sqlite3"):
        assert dockerignore_excludes(patterns, secret), secret
    for needed in ("deploy/settings.example.env", "cpc_bot/app.py", "pyproject.toml", "dialogs/parent_prepare.yaml",
                   "locales/en/LC_MESSAGES/messages.po", "deploy/Dockerfile"):
        assert not dockerignore_excludes(patterns, needed), needed


def test_settings_databases_and_keys_are_not_committed() -> None:
    def ignored(path: str) -> bool:
        return subprocess.run(["git", "check-ignore", "-q", "--no-index", path], cwd=PROJECT_ROOT).returncode == 0

    for secret in ("deploy/settings.env", "settings.env", ".env", "x.db", "x.db-wal", "x.db-shm", "cpc.key"):
        assert ignored(secret), secret
    assert not ignored("deploy/settings.example.env")


# ------------------------------------------------------------------- the database file
@pytest.mark.sqlite_only
async def test_a_new_database_file_and_its_wal_are_owner_only(umask_022: None, harness: BotHarness,
                                                             emulator: BotApiEmulator) -> None:
    parent = await open_prepare(emulator, PARENT)  # written: the -wal and -shm files are in use
    await parent.tap("Skip ➡️")
    path = harness.settings.database_url.split("///", 1)[1]
    for name in (path, f"{path}-wal", f"{path}-shm"):
        assert mode(name) == 0o600, f"{name}: {mode(name):o}"


@pytest.mark.sqlite_only
async def test_a_database_file_others_can_read_is_warned_about_once(
        tmp_path: Path, caplog: pytest.LogCaptureFixture) -> None:
    path = tmp_path / "shared.db"
    path.touch()
    path.chmod(0o644)
    for _ in range(2):
        await create_engine(f"sqlite+aiosqlite:///{path}").dispose()
    warnings = [r.getMessage() for r in caplog.records if "database.readable_by_others" in r.getMessage()]
    assert len(warnings) == 1 and "chmod 600" in warnings[0]
    assert mode(path) == 0o644  # left as the owner made it


# ------------------------------------------------------------------- the key file
def key_file_settings(settings: Settings, key_file: Path) -> Settings:
    return settings.model_copy(update={"encryption_keys": None, "key_file": key_file})


def test_a_key_file_others_can_read_is_refused(emulator: BotApiEmulator, tmp_path: Path) -> None:
    key_file = tmp_path / "cpc.key"
    key_file.write_text(new_key() + "\n")
    key_file.chmod(0o644)
    with pytest.raises(ConfigError) as refused:
        build_app(key_file_settings(make_settings(emulator.base_url, tmp_path), key_file))
    message = str(refused.value)
    assert message.startswith("CPC_KEY_FILE: ") and str(key_file) in message and f"chmod 600 {key_file}" in message
    assert "\n" not in message
    key_file.chmod(0o600)
    build_app(key_file_settings(make_settings(emulator.base_url, tmp_path), key_file))


async def test_no_new_key_is_made_over_encrypted_answers(emulator: BotApiEmulator, bot_settings: Settings,
                                                         clock: FrozenClock, tmp_path: Path) -> None:
    key_file = tmp_path / "keys" / "cpc.key"
    settings = key_file_settings(bot_settings, key_file)
    harness = BotHarness(emulator, settings, clock)
    await harness.start()  # the first start makes the key, owner-only
    assert mode(key_file) == 0o600
    parent = await open_prepare(emulator, PARENT)
    await parent.tap("Skip ➡️")  # the date
    await parent.tap("Skip ➡️")  # the kind of conference
    await parent.tap("Skip ➡️")  # the area
    await parent.say("Amira")  # the child's name, encrypted
    assert harness.running is not None
    await harness.running.stop()
    backup = key_file.read_text()
    key_file.unlink()

    with pytest.raises(ConfigError) as refused:
        build_app(settings, clock)
    message = str(refused.value)
    assert str(key_file) in message and "database holds encrypted answers" in message
    assert "restore the key file from your backup" in message and "CPC_ENCRYPTION_KEYS" in message
    assert "\n" not in message
    assert not key_file.exists()  # no new key was written over the old data

    key_file.write_text(backup)
    key_file.chmod(0o600)
    app = await harness.start()
    try:
        response = await app.repo.open_response(PARENT, "parent_prepare")
        assert response is not None
        answers = await app.repo.answers(response.id or 0)
        assert "Amira" in repr({key: answer.value for key, answer in answers.items()})  # readable again
    finally:
        await harness.running.stop()


# ------------------------------------------------------------------- logs
def test_the_log_filter_takes_the_token_out_of_message_arguments_and_traceback() -> None:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(logging.Formatter("%(levelname)s %(message)s"))
    logger = logging.getLogger("tests.redaction")
    logger.propagate = False
    logger.addHandler(handler)
    install(TOKEN, ["webhook-secret-value"], logger=logger)
    try:
        try:
            raise RuntimeError(f"GET https://api.telegram.org/file/bot{TOKEN}/photos/file_7.jpg failed")
        except RuntimeError as exc:
            logger.error(f"calling bot{TOKEN}/getMe with %s and %r", f"secret=webhook-secret-value {TOKEN}",
                         {"token": TOKEN}, exc_info=exc)
        logger.warning("plain %s line", "nothing secret")
    finally:
        logger.removeHandler(handler)
    text = stream.getvalue()
    assert TOKEN not in text and TOKEN.split(":")[1] not in text and "webhook-secret-value" not in text
    assert "file_7.jpg" not in text and "/photos/" not in text  # a file's address is not logged at all
    assert "calling bot<token>/getMe with secret=<secret> <token> and" in text
    assert "/file/bot<token>/<file> failed" in text and "Traceback" in text and "RuntimeError" in text
    assert "WARNING plain nothing secret line" in text


def test_the_log_filter_leaves_clean_records_as_they_are() -> None:
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "update.handled update=%s", (7,), None)
    assert RedactSecrets(TOKEN).filter(record)
    assert (record.msg, record.args) == ("update.handled update=%s", (7,))


async def test_a_failed_photo_download_logs_no_token_and_no_file_address(
        harness: BotHarness, emulator: BotApiEmulator, caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    child = await open_booklet(emulator, CHILD, "I am under 12")
    await child.tap("Next ➡️")
    await child.tap("Skip ➡️")  # my name
    assert "Good things. What makes you feel safe?" in emulator.last_message(CHILD).visible
    emulator.fail_next(FILE_DOWNLOAD, error_code=500)
    await child.send_photo(drawing())
    assert "something went wrong on my side" in emulator.last_message(CHILD).visible
    await child.send_photo(drawing())  # sent again, it arrives
    assert emulator.last_message(CHILD).visible.startswith("Saved.")
    assert DEMO_TOKEN not in caplog.text and DEMO_TOKEN.split(":")[1] not in caplog.text
    assert "/file/" not in caplog.text and "files/F" not in caplog.text
    assert "update.failed" in caplog.text and "FileDownloadError: file download failed: HTTP 500" in caplog.text
