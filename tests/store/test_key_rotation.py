"""Key rotation: every value moves to the newest key, in batches that survive interruption,
without losing, unbinding or leaking anything, and without touching what it cannot read."""

from __future__ import annotations

import contextlib
import json
import logging
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine, async_sessionmaker
from sqlmodel import SQLModel
from sqlmodel.ext.asyncio.session import AsyncSession

from cpc_bot.clock import FrozenClock
from cpc_bot.store.conferences import ConferenceRepository
from cpc_bot.store.crypto import FieldCipher, new_key, owner_of, parse_keys
from cpc_bot.store.database import create_engine, session_factory
from cpc_bot.store.migrate import migrate_or_adopt
from cpc_bot.store.repository import Repository
from cpc_bot.store.rotate import Unreadable, rotate_database, rotate_keys
from tests.servers import fresh_database

SENTINEL = "Sentinel-rotation-4471"
KEY_A_TEXT, KEY_B_TEXT = new_key(), new_key()
(KEY_A,), (KEY_B,) = parse_keys(KEY_A_TEXT), parse_keys(KEY_B_TEXT)
ID_A, ID_B = FieldCipher([KEY_A]).current_key_id, FieldCipher([KEY_B]).current_key_id
CLOCK = FrozenClock(datetime(2026, 11, 24, 20, 0, tzinfo=UTC))
OWNER = 42


class Interrupted(Exception):
    """Stands in for Ctrl+C, a crash or a deploy in the middle of a rotation."""


# --- databases -------------------------------------------------------------------------------

@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.xdist_group("servers"))])
async def database_url(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[str]:
    if request.param == "sqlite":
        yield f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}"
        return
    async with fresh_database("rotation") as url:
        yield url


@pytest.fixture
async def db(database_url: str) -> AsyncIterator[tuple[AsyncEngine, async_sessionmaker[AsyncSession]]]:
    engine = create_engine(database_url)
    await migrate_or_adopt(engine)
    yield engine, session_factory(engine)
    await engine.dispose()


# --- data ------------------------------------------------------------------------------------

@dataclass
class Seeded:
    answers: dict[int, dict[str, Any]] = field(default_factory=dict)
    blob_id: str = ""
    blob: bytes = b""
    conference_id: int = 0
    case_ref: str = ""


def repos(sessions: async_sessionmaker[AsyncSession], keys: list[bytes]) -> tuple[Repository, ConferenceRepository]:
    cipher = FieldCipher(keys)
    return Repository(sessions, cipher, CLOCK), ConferenceRepository(sessions, cipher, CLOCK)


async def seed(sessions: async_sessionmaker[AsyncSession], keys: list[bytes]) -> Seeded:
    """Nine answers (and one skipped), a picture and a case reference, written the bot's way."""
    repo, conferences = repos(sessions, keys)
    seeded = Seeded()
    await repo.ensure_user(OWNER)
    for dialog, names in (("parent_prepare", ["Ana", "Ben", "Cat", "Dan", "Eve"]), ("child_views", ["Fay", "Gus", "Hal", "Ivy"])):
        response = await repo.create_response(OWNER, dialog, 1, "intro", "en")
        assert response.id is not None
        expected: dict[str, Any] = {}
        for i, name in enumerate(names):
            value: Any = f"{SENTINEL} {name} Zoë" if i % 2 else [f"{SENTINEL} {name}", i]
            await repo.save_answer(response.id, f"q{i}", value)
            expected[f"q{i}"] = value
        if dialog == "child_views":
            await repo.save_answer(response.id, "skipped", None, skipped=True)
            expected["skipped"] = None
        seeded.answers[response.id] = expected
    seeded.blob = f"{SENTINEL} drawing".encode() + bytes(range(256))
    seeded.blob_id = await repo.save_blob(OWNER, seeded.blob, "image/png")
    seeded.case_ref = f"{SENTINEL} case 17"
    conference = await conferences.create(OWNER, kind="initial", area="Leeds", role="professional",
                                          starts_at=datetime(2026, 12, 1, 10, tzinfo=UTC), has_time=True,
                                          case_ref=seeded.case_ref)
    await conferences.create(OWNER, kind="review", area="Leeds", role="professional",  # no case ref: NULL
                             starts_at=datetime(2026, 12, 2, 10, tzinfo=UTC), has_time=True, case_ref=None)
    assert conference.id is not None
    seeded.conference_id = conference.id
    return seeded


VALUES = 9 + 1 + 1  # non-null encrypted values in ``seed``


async def assert_all_readable(sessions: async_sessionmaker[AsyncSession], keys: list[bytes], seeded: Seeded) -> None:
    """Through the bot's own read methods, so the contexts are the real ones."""
    repo, conferences = repos(sessions, keys)
    for response_id, expected in seeded.answers.items():
        assert {k: a.value for k, a in (await repo.answers(response_id)).items()} == expected
    assert await repo.load_blob(seeded.blob_id, OWNER) == (seeded.blob, "image/png")
    conference = await conferences.get(seeded.conference_id)
    assert conference is not None and conferences.case_ref(conference) == seeded.case_ref


async def key_ids(sessions: async_sessionmaker[AsyncSession]) -> dict[str, list[str]]:
    """Which key made each stored value, per table, in primary-key order."""
    reader = FieldCipher([KEY_A])
    async with sessions() as s:
        conn = await s.connection()
        answers = (await conn.execute(sa.text("SELECT value_enc FROM answers WHERE value_enc IS NOT NULL ORDER BY id"))).scalars().all()
        blobs = (await conn.execute(sa.text("SELECT data_enc FROM blobs ORDER BY id"))).scalars().all()
        refs = (await conn.execute(sa.text("SELECT case_ref_enc FROM conferences WHERE case_ref_enc IS NOT NULL ORDER BY id"))).scalars().all()
    return {
        "answers": [reader.key_id_of(t) for t in answers],
        "blobs": [reader.key_id_of(bytes(b)) for b in blobs],
        "conferences": [reader.key_id_of(t) for t in refs],
    }


async def raw(sessions: async_sessionmaker[AsyncSession], query: str, **params: Any) -> Any:
    async with sessions() as s:
        conn = await s.connection()
        return (await conn.execute(sa.text(query), params)).scalar_one()


async def write_raw(sessions: async_sessionmaker[AsyncSession], query: str, **params: Any) -> None:
    async with sessions.begin() as s:
        conn = await s.connection()
        await conn.execute(sa.text(query), params)


# --- tests -----------------------------------------------------------------------------------

async def test_interrupted_rotation_resumes_and_finishes(db: tuple[AsyncEngine, async_sessionmaker[AsyncSession]]) -> None:
    _, sessions = db
    seeded = await seed(sessions, [KEY_A])
    assert await key_ids(sessions) == {"answers": [ID_A] * 9, "blobs": [ID_A], "conferences": [ID_A]}
    cipher = FieldCipher([KEY_B, KEY_A])

    # Stopped right after the first batch was committed.
    seen: list[tuple[str, int]] = []

    def stop_after_first(table: str, count: int) -> None:
        seen.append((table, count))
        raise Interrupted

    with pytest.raises(Interrupted):
        await rotate_keys(sessions, cipher, batch_size=3, on_batch=stop_after_first)
    assert seen == [("answers", 3)]
    assert await key_ids(sessions) == {"answers": [ID_B] * 3 + [ID_A] * 6, "blobs": [ID_A], "conferences": [ID_A]}
    await assert_all_readable(sessions, [KEY_B, KEY_A], seeded)  # half-way: nothing lost

    # Run again (an async hook this time): it finds only what is left.
    batches: list[tuple[str, int]] = []

    async def record(table: str, count: int) -> None:
        batches.append((table, count))

    report = await rotate_keys(sessions, cipher, batch_size=3, on_batch=record)
    assert report.done and report.key_id == ID_B
    assert (report.rotated, report.already_current, report.unreadable, report.total) == (VALUES - 3, 3, 0, VALUES)
    assert report.tables["answers"].rotated == 6 and report.tables["answers"].already_current == 3
    assert report.tables["blobs"].rotated == 1 and report.tables["conferences"].rotated == 1
    assert batches == [("answers", 3), ("answers", 3), ("blobs", 1), ("conferences", 1)]
    assert report.unreadable_rows == []
    assert report.summary_lines()[-1] == f"done: every value is under key {ID_B}; the old keys can be removed"
    assert await key_ids(sessions) == {"answers": [ID_B] * 9, "blobs": [ID_B], "conferences": [ID_B]}

    # The old key can go: the new one alone reads everything through the normal methods.
    await assert_all_readable(sessions, [KEY_B], seeded)
    # The old key alone reads nothing any more (fail closed: as if missing, never an error).
    repo_a, conferences_a = repos(sessions, [KEY_A])
    for response_id in seeded.answers:
        assert all(answer.skipped for answer in (await repo_a.answers(response_id)).values())  # no value left
    assert await repo_a.load_blob(seeded.blob_id, OWNER) is None
    conference = await conferences_a.get(seeded.conference_id)
    assert conference is not None and conferences_a.case_ref(conference) is None

    # Idempotent: a third run changes nothing.
    before = await raw(sessions, "SELECT value_enc FROM answers WHERE value_enc IS NOT NULL ORDER BY id LIMIT 1")
    again = await rotate_keys(sessions, cipher, batch_size=3)
    assert again.done and (again.rotated, again.already_current, again.unreadable) == (0, VALUES, 0)
    assert await raw(sessions, "SELECT value_enc FROM answers WHERE value_enc IS NOT NULL ORDER BY id LIMIT 1") == before


async def test_rotation_keeps_values_bound_to_their_row(db: tuple[AsyncEngine, async_sessionmaker[AsyncSession]],
                                                        caplog: pytest.LogCaptureFixture) -> None:
    _, sessions = db
    seeded = await seed(sessions, [KEY_A])
    first_id, second_id = seeded.answers
    repo, conferences = repos(sessions, [KEY_A])
    other_blob = await repo.save_blob(OWNER, b"another picture", "image/png")
    other_conference = await conferences.create(OWNER, kind="review", area="York", role="professional",
                                                starts_at=datetime(2026, 12, 3, 9, tzinfo=UTC), has_time=False,
                                                case_ref="another case")
    # A copy made BEFORE rotation (answer q0 of response 1 pasted over q0 of response 2) ...
    await write_raw(sessions, """UPDATE answers SET value_enc = (SELECT value_enc FROM answers WHERE response_id = :src AND key = 'q0')
                                 WHERE response_id = :dst AND key = 'q0'""", src=first_id, dst=second_id)
    pasted = await raw(sessions, "SELECT value_enc FROM answers WHERE response_id = :r AND key = 'q0'", r=second_id)
    pasted_pk = await raw(sessions, "SELECT id FROM answers WHERE response_id = :r AND key = 'q0'", r=second_id)

    report = await rotate_keys(sessions, FieldCipher([KEY_B, KEY_A]), batch_size=4)
    # ... is not "laundered" into a valid value for its new row: reported, and left as it was.
    assert report.unreadable_rows == [Unreadable("answers", pasted_pk, "value does not belong to this row")]
    assert await raw(sessions, "SELECT value_enc FROM answers WHERE id = :i", i=pasted_pk) == pasted
    assert report.rotated == VALUES - 1 + 2 and report.done

    # Copies made AFTER rotation do not decrypt either: each new value is bound to its own row.
    repo_b, conferences_b = repos(sessions, [KEY_B])
    assert (await repo_b.answers(first_id))["q0"].value == seeded.answers[first_id]["q0"]
    await write_raw(sessions, """UPDATE answers SET value_enc = (SELECT value_enc FROM answers WHERE response_id = :src AND key = 'q1')
                                 WHERE response_id = :src AND key = 'q2'""", src=first_id)
    # Fails closed: the pasted answer reads as missing, the others as they were, the log names the row.
    read_back = await repo_b.answers(first_id)
    assert "q2" not in read_back and read_back["q1"].value == seeded.answers[first_id]["q1"]
    pasted_q2 = await raw(sessions, "SELECT id FROM answers WHERE response_id = :r AND key = 'q2'", r=first_id)
    assert f"crypto.unreadable table=answers id={pasted_q2} reason=value does not belong to this row" in caplog.text
    await write_raw(sessions, "UPDATE blobs SET data_enc = (SELECT data_enc FROM blobs WHERE id = :src) WHERE id = :dst",
                    src=seeded.blob_id, dst=other_blob)
    assert await repo_b.load_blob(other_blob, OWNER) is None
    await write_raw(sessions, """UPDATE conferences SET case_ref_enc = (SELECT case_ref_enc FROM conferences WHERE id = :src)
                                 WHERE id = :dst""", src=seeded.conference_id, dst=other_conference.id)
    moved = await conferences_b.get(other_conference.id or 0)
    assert moved is not None
    assert conferences_b.case_ref(moved) is None
    assert SENTINEL not in caplog.text


async def test_rotation_never_rebinds_a_row_moved_to_another_owner(db: tuple[AsyncEngine, async_sessionmaker[AsyncSession]]) -> None:
    _, sessions = db
    seeded = await seed(sessions, [KEY_A])
    first_id, _second_id = seeded.answers
    repo, _ = repos(sessions, [KEY_A])
    await repo.ensure_user(OWNER + 1)
    moves = {"responses": ("user_id", first_id), "blobs": ("user_id", seeded.blob_id),
             "conferences": ("owner_id", seeded.conference_id)}
    for table, (column, pk) in moves.items():
        await write_raw(sessions, f"UPDATE {table} SET {column} = :to WHERE id = :i", to=OWNER + 1, i=pk)

    report = await rotate_keys(sessions, FieldCipher([KEY_B, KEY_A]), batch_size=4)
    # Reported and left as they were: re-encrypting them would bind them to the new owner.
    moved_answers = len([v for v in seeded.answers[first_id].values() if v is not None])
    assert report.unreadable == moved_answers + 2 and report.rotated == VALUES - moved_answers - 2
    assert {u.table for u in report.unreadable_rows} == {"answers", "blobs", "conferences"}
    assert {u.reason for u in report.unreadable_rows} == {"value does not belong to this row"}

    # Put back, they read again (with both keys until they are rotated).
    for table, (column, pk) in moves.items():
        await write_raw(sessions, f"UPDATE {table} SET {column} = :to WHERE id = :i", to=OWNER, i=pk)
    await assert_all_readable(sessions, [KEY_B, KEY_A], seeded)
    again = await rotate_keys(sessions, FieldCipher([KEY_B, KEY_A]), batch_size=4)
    assert again.done and again.unreadable == 0 and again.rotated == moved_answers + 2
    await assert_all_readable(sessions, [KEY_B], seeded)


async def test_unreadable_values_are_reported_and_left_untouched(db: tuple[AsyncEngine, async_sessionmaker[AsyncSession]]) -> None:
    _, sessions = db
    seeded = await seed(sessions, [KEY_A])
    repo, conferences = repos(sessions, [KEY_A])
    garbage_blob = await repo.save_blob(OWNER, b"x", "image/png")
    unknown_key = await conferences.create(OWNER, kind="review", area="York", role="professional",
                                           starts_at=datetime(2026, 12, 3, 9, tzinfo=UTC), has_time=False, case_ref="y")
    not_a_token = await conferences.create(OWNER, kind="review", area="Hull", role="professional",
                                           starts_at=datetime(2026, 12, 4, 9, tzinfo=UTC), has_time=False, case_ref="z")
    bad_body = await raw(sessions, "SELECT min(id) FROM answers")
    damaged = {
        # A value made by a key that is no longer configured (an old key removed too early).
        ("conferences", unknown_key.id): FieldCipher([parse_keys(new_key())[0]]).encrypt(
            "y", f"conferences.case_ref_enc:{unknown_key.id}", owner_of(OWNER)),
        ("conferences", not_a_token.id): "garbage, not a token",
        ("answers", bad_body): f"v1.{ID_A}.!!!",
        ("blobs", garbage_blob): b"\xff\xfe\xfd garbage bytes, not ours",
    }
    for (table, pk), value in damaged.items():
        column = {"answers": "value_enc", "blobs": "data_enc", "conferences": "case_ref_enc"}[table]
        await write_raw(sessions, f"UPDATE {table} SET {column} = :v WHERE id = :i", v=value, i=pk)

    report = await rotate_keys(sessions, FieldCipher([KEY_B, KEY_A]), batch_size=2)
    assert sorted((u.table, str(u.primary_key)) for u in report.unreadable_rows) == sorted((t, str(pk)) for t, pk in damaged)
    reasons = {(u.table, u.primary_key): u.reason for u in report.unreadable_rows}
    assert reasons[("conferences", unknown_key.id)] == "encrypted with an unknown key"
    assert reasons[("conferences", not_a_token.id)] == "not an encrypted field"
    assert report.unreadable == 4 and report.rotated == VALUES - 1
    assert report.done  # went through everything; ...
    assert "keep the old keys" in report.summary_lines()[-1]  # ... but the old keys must stay
    for (table, pk), value in damaged.items():
        column = {"answers": "value_enc", "blobs": "data_enc", "conferences": "case_ref_enc"}[table]
        stored = await raw(sessions, f"SELECT {column} FROM {table} WHERE id = :i", i=pk)
        assert (bytes(stored) if isinstance(value, bytes) else stored) == value

    # Everything else moved; a re-run reports the same rows again and changes nothing.
    again = await rotate_keys(sessions, FieldCipher([KEY_B, KEY_A]), batch_size=2)
    assert (again.rotated, again.unreadable, again.already_current) == (0, 4, VALUES - 1)
    repo_b, conferences_b = repos(sessions, [KEY_B])
    assert await repo_b.load_blob(seeded.blob_id, OWNER) == (seeded.blob, "image/png")
    conference = await conferences_b.get(seeded.conference_id)
    assert conference is not None and conferences_b.case_ref(conference) == seeded.case_ref


class RacingSessions:
    """The real session factory, but the bot gets to write just before the next batch is written."""

    def __init__(self, sessions: async_sessionmaker[AsyncSession]) -> None:
        self.sessions = sessions
        self.before_write: Callable[[], Awaitable[None]] | None = None

    def __call__(self) -> AsyncSession:
        return self.sessions()

    @contextlib.asynccontextmanager
    async def begin(self) -> AsyncIterator[AsyncSession]:
        hook, self.before_write = self.before_write, None
        if hook is not None:
            await hook()
        async with self.sessions.begin() as s:
            yield s


async def test_bot_writing_during_rotation_is_never_overwritten(db: tuple[AsyncEngine, async_sessionmaker[AsyncSession]]) -> None:
    _, sessions = db
    seeded = await seed(sessions, [KEY_A])
    first_id, second_id = seeded.answers
    racing = RacingSessions(sessions)
    restarted_bot, _ = repos(sessions, [KEY_B, KEY_A])

    async def bot_edits_an_answer_being_rotated() -> None:
        # Between the rotation's read of batch 1 and its write, the person changes an answer.
        await restarted_bot.save_answer(first_id, "q1", "changed while rotating")

    racing.before_write = bot_edits_an_answer_being_rotated
    report = await rotate_keys(racing, FieldCipher([KEY_B, KEY_A]), batch_size=3)  # type: ignore[arg-type]
    assert report.tables["answers"].changed_meanwhile == 1 and report.tables["answers"].rotated == 8
    assert report.done  # the bot wrote under the new key, so nothing is left behind
    assert (await restarted_bot.answers(first_id))["q1"].value == "changed while rotating"  # the person's edit won

    # A bot that was NOT restarted with the new key keeps writing under the old one: not done.
    old_bot, _ = repos(sessions, [KEY_A])
    await old_bot.save_answer(second_id, "q0", "written under the old key")

    async def old_bot_writes(table: str, count: int) -> None:
        await old_bot.save_answer(second_id, "q1", "also under the old key")

    report = await rotate_keys(sessions, FieldCipher([KEY_B, KEY_A]), batch_size=50, on_batch=old_bot_writes)
    assert report.rotated == 1 and report.left_behind == 1 and not report.done
    assert "not done" in report.summary_lines()[-1]
    report = await rotate_keys(sessions, FieldCipher([KEY_B, KEY_A]))
    assert report.done and report.rotated == 1
    answers = await repos(sessions, [KEY_B])[0].answers(second_id)
    assert answers["q0"].value == "written under the old key" and answers["q1"].value == "also under the old key"


async def test_no_plaintext_in_the_database_file_progress_or_logs(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                                  caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)  # everything, SQLAlchemy's statements and parameters included
    path = tmp_path / "bot.db"
    url = f"sqlite+aiosqlite:///{path}"
    engine = create_engine(url)
    await migrate_or_adopt(engine)
    sessions = session_factory(engine)
    seeded = await seed(sessions, [KEY_A])

    report = await rotate_database(url, [KEY_B, KEY_A], batch_size=2)  # prints with print()
    assert report.done and report.rotated == VALUES and report.unreadable == 0
    await assert_all_readable(sessions, [KEY_B], seeded)

    out = capsys.readouterr().out
    lines = out.splitlines()
    assert lines[0] == f"re-encrypting under key {ID_B}, batches of 2"
    assert lines[1:6] == [f"answers: batch {n}: 2 re-encrypted ({2 * n} so far)" for n in range(1, 5)] + [
        "answers: batch 5: 1 re-encrypted (9 so far)"]
    assert "blobs: batch 1: 1 re-encrypted (1 so far)" in lines
    assert lines[-1] == f"done: every value is under key {ID_B}; the old keys can be removed"
    assert "keys.rotate.finished" in caplog.text
    for secret in (SENTINEL, "Zoë", KEY_A_TEXT, KEY_B_TEXT):
        assert secret not in out and secret not in caplog.text

    # The raw file (and its write-ahead log, still there while a connection is open).
    wal = Path(f"{path}-wal")
    files = [path] + ([wal] if wal.exists() else [])
    for file in files:
        data = file.read_bytes()
        assert SENTINEL.encode() not in data and "Zoë".encode() not in data, file
    await engine.dispose()
    assert SENTINEL.encode() not in path.read_bytes()


async def test_two_thousand_answers(tmp_path: Path) -> None:
    """Throughput figure for the docs (printed with -s, and left in timing.txt)."""
    engine = create_engine(f"sqlite+aiosqlite:///{tmp_path / 'bot.db'}")
    await migrate_or_adopt(engine)
    sessions = session_factory(engine)
    repo, _ = repos(sessions, [KEY_A])
    cipher_a = FieldCipher([KEY_A])
    await repo.ensure_user(OWNER)
    responses = [await repo.create_response(OWNER, f"d{i}", 1, "intro", "en") for i in range(20)]
    rows = [
        {"response_id": r.id, "key": f"q{k}", "skipped": False, "updated_at": CLOCK(),
         "value_enc": cipher_a.encrypt(json.dumps(f"{SENTINEL} answer {r.id}/{k} " + "x" * 200),
                                       Repository._answer_context(r.id or 0, f"q{k}"), owner_of(OWNER))}
        for r in responses for k in range(100)
    ]
    async with sessions.begin() as s:
        await (await s.connection()).execute(sa.insert(SQLModel.metadata.tables["answers"]), rows)

    started = time.perf_counter()
    report = await rotate_keys(sessions, FieldCipher([KEY_B, KEY_A]), batch_size=200)
    seconds = time.perf_counter() - started
    started = time.perf_counter()
    again = await rotate_keys(sessions, FieldCipher([KEY_B, KEY_A]), batch_size=200)
    noop = time.perf_counter() - started
    assert report.done and report.rotated == 2000 and report.tables["answers"].batches == 10
    assert again.rotated == 0 and again.already_current == 2000
    repo_b, _ = repos(sessions, [KEY_B])
    for r in responses:
        answers = await repo_b.answers(r.id or 0)
        assert len(answers) == 100 and answers["q7"].value.startswith(f"{SENTINEL} answer {r.id}/7 ")
    await engine.dispose()
    line = f"2000 answers rotated in {seconds:.2f}s ({2000 / seconds:.0f} rows/s); a second run took {noop * 1000:.0f} ms"
    (tmp_path / "timing.txt").write_text(line + "\n")
    print(line)
