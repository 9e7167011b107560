"""Answers are encrypted at rest and survive a new engine (a restart)."""

from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from cpc_bot.clock import FrozenClock
from cpc_bot.store.crypto import FieldCipher, new_key, parse_keys
from cpc_bot.store.database import create_engine, create_tables, session_factory
from cpc_bot.store.repository import Repository

KEY = new_key()


async def open_repo(path: Path) -> tuple[Repository, object]:
    engine = create_engine(f"sqlite+aiosqlite:///{path}")
    await create_tables(engine)
    clock = FrozenClock(datetime(2026, 11, 24, 20, 0, tzinfo=UTC))
    return Repository(session_factory(engine), FieldCipher(parse_keys(KEY)), clock), engine


async def test_answers_are_encrypted_and_survive_restart(tmp_path: Path) -> None:
    db = tmp_path / "bot.db"
    repo, engine = await open_repo(db)
    await repo.ensure_user(42)
    response = await repo.create_response(42, "parent_prepare", 1, "intro", "en")
    await repo.save_answer(response.id, "worries", ["Money is tight", "We moved house"])
    await repo.save_answer(response.id, "scale", 6)
    await repo.save_answer(response.id, "support", None, skipped=True)
    await repo.move_cursor(response.id, "support")
    async with engine.connect() as conn:
        raw = " ".join(str(row) for row in (await conn.execute(text("select value_enc from answers"))).all())
    assert "Money" not in raw and "tight" not in raw
    await engine.dispose()

    repo, engine = await open_repo(db)
    again = await repo.open_response(42, "parent_prepare")
    assert again is not None and again.id == response.id and again.cursor == "support"
    answers = await repo.answers(response.id)
    assert answers["worries"].value == ["Money is tight", "We moved house"]
    assert answers["scale"].value == 6
    assert answers["support"].skipped
    await engine.dispose()


async def test_saving_twice_updates_in_place(tmp_path: Path) -> None:
    repo, engine = await open_repo(tmp_path / "bot.db")
    await repo.ensure_user(7)
    response = await repo.create_response(7, "d", 1, "a", "en")
    await repo.save_answer(response.id, "a", "first")
    await repo.save_answer(response.id, "a", "second")
    assert {k: v.value for k, v in (await repo.answers(response.id)).items()} == {"a": "second"}
    await engine.dispose()


async def test_update_is_claimed_once(tmp_path: Path) -> None:
    repo, engine = await open_repo(tmp_path / "bot.db")
    assert await repo.claim_update(1, 100)
    assert not await repo.claim_update(1, 100)
    assert await repo.claim_update(1, 101)
    await engine.dispose()


async def test_blobs_belong_to_their_owner(tmp_path: Path) -> None:
    repo, engine = await open_repo(tmp_path / "bot.db")
    await repo.ensure_user(1)
    await repo.ensure_user(2)
    blob_id = await repo.save_blob(1, b"picture", "image/jpeg")
    assert await repo.load_blob(blob_id, 1) == (b"picture", "image/jpeg")
    assert await repo.load_blob(blob_id, 2) is None
    await engine.dispose()
