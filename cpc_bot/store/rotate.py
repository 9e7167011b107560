"""Encryption-key rotation: re-encrypt every stored value under the newest key and format.

How to rotate (``cpc-bot keys rotate``):

1. Make a new key (``cpc_bot.store.crypto.new_key()``) and put it FIRST in
   ``CPC_ENCRYPTION_KEYS`` (or as the first line of the key file), keeping the old keys
   after it. The first key encrypts, every key decrypts.
2. Restart the bot. New writes now use the new key and old values still read.
3. Run ``cpc-bot keys rotate``. It re-encrypts, in small batches, every value that is not
   yet under the newest key in the newest format, each value bound to the same table, column
   and row as before, and to its owner as the database says now.
   Each batch is its own committed transaction, so it can be stopped at any moment and run
   again: it simply finds fewer values left to do. The bot can keep running meanwhile.
4. When it reports ``done`` with ``0 unreadable``, remove the old key(s) and restart the bot.
   If it reports unreadable values, do not remove the old key yet: those rows are listed by
   table and id (never by content) and were left exactly as they were.

Upgrading from the v1 format (values bound to their row but not to their owner, and not
padded: see ``crypto.py``): run ``cpc-bot keys rotate`` once, with the same key(s) or a new
one first. Every v1 value is then rewritten as v2; until then v1 values are still read. A row
moved to another person *before* the upgrade cannot be told apart (v1 never named the owner)
and is bound to the owner it has then.

Nothing here ever prints or logs a value, only table names, ids, key ids and counts.

The encrypted columns, and the context and owner (``crypto.owner_of``) each is bound to (they
must match the code that writes them, ``repository.py``, ``conferences.py``, ``professionals.py``):

* ``answers.value_enc``       text,  ``answers.value_enc:{response_id}:{key}``, the response's user
* ``blobs.data_enc``          bytes, ``blobs.data_enc:{id}``, its user
* ``conferences.case_ref_enc`` text, ``conferences.case_ref_enc:{id}``, its owner (the professional)
* ``professional_profiles.{name,job,organisation,email}_enc`` text,
  ``professional_profiles.<column>:{user_id}``, the professional
* ``invites.code_enc`` text, ``invites.code_enc:{code_hash}``, the conference's professional and
  the conference
* ``conference_members.name_enc`` text, ``conference_members.name_enc:{id}``, the member, the
  conference and the conference's professional
"""

from __future__ import annotations

import inspect
import logging
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlmodel import SQLModel

from cpc_bot.store import models  # noqa: F401 - registers the tables on SQLModel.metadata
from cpc_bot.store.crypto import DecryptionError, FieldCipher, owner_of
from cpc_bot.store.database import Sessions

if TYPE_CHECKING:
    from cpc_bot.config import Settings

log = logging.getLogger(__name__)

#: Pictures can be up to 20 MB each, so they go a few at a time whatever ``batch_size`` says.
BLOB_BATCH_SIZE = 8

#: The newest text token format (see crypto.py): ``v2.<key id>.<body>``; bytes ``v2<key id>...``.
_TEXT_PREFIX = "v2.{key_id}."
_BYTE_PREFIX = "v2{key_id}"

BatchHook = Callable[[str, int], Awaitable[None] | None]


def _conference_owner(table: sa.Table) -> sa.ScalarSelect[Any]:
    """The professional of the row's conference (``conference_id``), read with the row."""
    conferences = SQLModel.metadata.tables["conferences"]
    return sa.select(conferences.c.owner_id).where(conferences.c.id == table.c.conference_id).scalar_subquery()


def _response_user(table: sa.Table) -> sa.ScalarSelect[Any]:
    """The person whose response the answer is part of."""
    responses = SQLModel.metadata.tables["responses"]
    return sa.select(responses.c.user_id).where(responses.c.id == table.c.response_id).scalar_subquery()


@dataclass(frozen=True)
class _EncryptedColumn:
    """One encrypted column: where it is and what its values are bound to."""

    table: str
    column: str
    #: Columns (besides the primary key) the context and owner are made of; they must still match on write.
    binding: tuple[str, ...]
    context: Callable[[Mapping[str, Any]], str]
    owner: Callable[[Mapping[str, Any]], str]
    binary: bool = False
    #: Values from other tables the owner is made of (name -> a subquery on the row), read with
    #: the row and, like ``binding``, checked again on write.
    joined: tuple[tuple[str, Callable[[sa.Table], sa.ScalarSelect[Any]]], ...] = ()


ENCRYPTED_COLUMNS: tuple[_EncryptedColumn, ...] = (
    _EncryptedColumn("answers", "value_enc", ("response_id", "key"),
                     lambda row: f"answers.value_enc:{row['response_id']}:{row['key']}",
                     lambda row: owner_of(row["owner_id"]), joined=(("owner_id", _response_user),)),
    _EncryptedColumn("blobs", "data_enc", ("user_id",), lambda row: f"blobs.data_enc:{row['id']}",
                     lambda row: owner_of(row["user_id"]), binary=True),
    _EncryptedColumn("conferences", "case_ref_enc", ("owner_id",), lambda row: f"conferences.case_ref_enc:{row['id']}",
                     lambda row: owner_of(row["owner_id"])),
    *(_EncryptedColumn("professional_profiles", f"{name}_enc", (),
                       lambda row, name=name: f"professional_profiles.{name}_enc:{row['user_id']}",  # type: ignore[misc]
                       lambda row: owner_of(row["user_id"]))
      for name in ("name", "job", "organisation", "email")),
    _EncryptedColumn("invites", "code_enc", ("conference_id",), lambda row: f"invites.code_enc:{row['code_hash']}",
                     lambda row: owner_of(row["owner_id"], row["conference_id"]),
                     joined=(("owner_id", _conference_owner),)),
    _EncryptedColumn("conference_members", "name_enc", ("user_id", "conference_id"),
                     lambda row: f"conference_members.name_enc:{row['id']}",
                     lambda row: owner_of(row["user_id"], row["conference_id"], row["professional_id"]),
                     joined=(("professional_id", _conference_owner),)),
)


@dataclass(frozen=True)
class Unreadable:
    """A value no configured key decrypts for its row. It is left untouched."""

    table: str
    primary_key: int | str
    reason: str


@dataclass
class TableRotation:
    table: str
    column: str
    #: Re-encrypted under the newest key by this run.
    rotated: int = 0
    #: Already under the newest key when this run reached the table.
    already_current: int = 0
    #: No key decrypts them (see ``RotationReport.unreadable_rows``); left as they were.
    unreadable: int = 0
    #: Rewritten or deleted by the bot between our read and our write; left as the bot wrote them.
    changed_meanwhile: int = 0
    #: Readable values still not under the newest key after the pass (something wrote
    #: with an old key while we ran: was the bot restarted with the new key first?).
    left_behind: int = 0
    #: Batches written.
    batches: int = 0
    #: The whole table was gone through.
    complete: bool = False

    @property
    def total(self) -> int:
        return self.rotated + self.already_current + self.unreadable + self.changed_meanwhile


@dataclass
class RotationReport:
    #: The key everything is being moved to (a hash prefix, not key material).
    key_id: str
    tables: dict[str, TableRotation] = field(default_factory=dict)
    unreadable_rows: list[Unreadable] = field(default_factory=list)
    #: Every table was gone through and every readable value is now under the newest key.
    done: bool = False

    @property
    def rotated(self) -> int:
        return sum(t.rotated for t in self.tables.values())

    @property
    def already_current(self) -> int:
        return sum(t.already_current for t in self.tables.values())

    @property
    def unreadable(self) -> int:
        return sum(t.unreadable for t in self.tables.values())

    @property
    def left_behind(self) -> int:
        return sum(t.left_behind for t in self.tables.values())

    @property
    def total(self) -> int:
        return sum(t.total for t in self.tables.values())

    def summary_lines(self) -> list[str]:
        """What to print at the end: names, ids and counts only."""
        lines = []
        for t in self.tables.values():
            lines.append(
                f"{t.table}.{t.column}: {t.rotated} re-encrypted, {t.already_current} already current, "
                f"{t.unreadable} unreadable, {t.changed_meanwhile} changed meanwhile, {t.left_behind} left behind")
        for row in self.unreadable_rows:
            lines.append(f"unreadable: {row.table} id={row.primary_key} ({row.reason}); left as it was")
        lines.append(
            f"total: {self.rotated} re-encrypted, {self.already_current} already current, "
            f"{self.unreadable} unreadable, key {self.key_id}")
        if not self.done:
            lines.append("not done: run `cpc-bot keys rotate` again (restart the bot with the new key first); keep the old keys")
        elif self.unreadable:
            lines.append(f"done, but {self.unreadable} unreadable value(s): keep the old keys until they are dealt with")
        else:
            lines.append(f"done: every value is under key {self.key_id}; the old keys can be removed")
        return lines


def _text_prefix(cipher: FieldCipher) -> str:
    prefix = _TEXT_PREFIX.format(key_id=cipher.current_key_id)
    if not cipher.encrypt("", "rotate:probe", "rotate:probe").startswith(prefix):  # the token format changed
        raise RuntimeError("rotate.py does not know this cipher's token format")
    return prefix


def _byte_prefix(cipher: FieldCipher) -> bytes:
    prefix = _BYTE_PREFIX.format(key_id=cipher.current_key_id).encode()
    if not cipher.encrypt_bytes(b"", "rotate:probe", "rotate:probe").startswith(prefix):
        raise RuntimeError("rotate.py does not know this cipher's byte format")
    return prefix


def _reencrypt(spec: _EncryptedColumn, cipher: FieldCipher, value: Any, row: Mapping[str, Any]) -> Any:
    context, owner = spec.context(row), spec.owner(row)
    if spec.binary:
        return cipher.encrypt_bytes(cipher.decrypt_bytes(bytes(value), context, owner), context, owner)
    return cipher.encrypt(cipher.decrypt(value, context, owner), context, owner)


async def _call(hook: BatchHook | None, table: str, count: int) -> None:
    if hook is None:
        return
    result = hook(table, count)
    if inspect.isawaitable(result):
        await result


async def _rotate_column(sessions: Sessions, cipher: FieldCipher, spec: _EncryptedColumn,
                         batch_size: int, on_batch: BatchHook | None, report: RotationReport) -> None:
    table = SQLModel.metadata.tables[spec.table]
    (pk,) = table.primary_key.columns
    column = table.c[spec.column]
    prefix: str | bytes = _byte_prefix(cipher) if spec.binary else _text_prefix(cipher)
    head = sa.func.substr(column, 1, len(prefix), type_=column.type)
    literal = sa.literal(prefix, column.type)
    current = sa.and_(column.is_not(None), head == literal)
    # Values not (yet) under the newest key; a plain comparison, so case-sensitive everywhere.
    stale = sa.and_(column.is_not(None), head != literal)
    size = min(batch_size, BLOB_BATCH_SIZE) if spec.binary else batch_size

    stats = TableRotation(spec.table, spec.column)
    # Keyed by table; a table with several encrypted columns by table.column.
    shared = sum(c.table == spec.table for c in ENCRYPTED_COLUMNS) > 1
    report.tables[f"{spec.table}.{spec.column}" if shared else spec.table] = stats
    async with sessions() as s:
        conn = await s.connection()
        stats.already_current = (await conn.execute(sa.select(sa.func.count()).select_from(table).where(current))).scalar_one()

    # Compare-and-set: only a value still exactly as we read it, in the same row with the same
    # owner, is replaced.
    joined = [(name, make(table)) for name, make in spec.joined]
    where = [pk == sa.bindparam("b_pk"), column == sa.bindparam("b_old", type_=column.type)]
    where += [table.c[name] == sa.bindparam(f"b_{name}") for name in spec.binding]
    where += [expression == sa.bindparam(f"b_{name}") for name, expression in joined]
    write = sa.update(table).where(*where).values({spec.column: sa.bindparam("b_new", type_=column.type)})

    last: Any = None
    unreadable_keys: set[Any] = set()
    while True:
        # Keyset pagination in primary-key order: never repeats or skips a row, even while the
        # bot inserts (new rows are made under the newest key and so are not selected anyway).
        query = sa.select(pk, column, *(table.c[n] for n in spec.binding),
                          *(expression.label(name) for name, expression in joined)).where(stale)
        if last is not None:
            query = query.where(pk > last)
        async with sessions() as s:
            conn = await s.connection()
            rows = [row._mapping for row in (await conn.execute(query.order_by(pk).limit(size))).all()]
        if not rows:
            break
        last = rows[-1][pk.name]

        # Crypto outside any transaction; the write transaction starts with its first UPDATE,
        # so SQLite takes the write lock then (waiting on busy_timeout) and holds it briefly.
        updates = []
        for row in rows:
            old = row[spec.column]
            try:
                new = _reencrypt(spec, cipher, old, row)
            # ValueError: malformed base64 or utf-8; TypeError: text where bytes belong (SQLite allows it).
            except (DecryptionError, ValueError, TypeError) as exc:
                reason = str(exc) if isinstance(exc, DecryptionError) else "not an encrypted value"
                report.unreadable_rows.append(Unreadable(spec.table, row[pk.name], reason))
                unreadable_keys.add(row[pk.name])
                stats.unreadable += 1
                continue
            params = {"b_pk": row[pk.name], "b_old": old, "b_new": new}
            params.update({f"b_{name}": row[name] for name in (*spec.binding, *(name for name, _ in joined))})
            updates.append(params)

        rotated = 0
        if updates:
            async with sessions.begin() as s:
                conn = await s.connection()
                for params in updates:
                    result = await conn.execute(write, params)
                    if result.rowcount == 1:
                        rotated += 1
                    else:
                        stats.changed_meanwhile += 1
        stats.rotated += rotated
        stats.batches += 1
        log.debug("keys.rotate.batch table=%s rows=%d rotated=%d last_id=%s", spec.table, len(rows), rotated, last)
        await _call(on_batch, spec.table, rotated)
        if len(rows) < size:
            break

    # Check: what is still not under the newest key should be exactly the unreadable rows.
    async with sessions() as s:
        conn = await s.connection()
        stale_keys = set((await conn.execute(sa.select(pk).where(stale))).scalars().all())
    stats.left_behind = len(stale_keys - unreadable_keys)
    stats.complete = True
    log.info("keys.rotate.table table=%s rotated=%d already_current=%d unreadable=%d changed=%d left_behind=%d",
             spec.table, stats.rotated, stats.already_current, stats.unreadable, stats.changed_meanwhile,
             stats.left_behind)


async def rotate_keys(sessions: Sessions, cipher: FieldCipher, *, batch_size: int = 200,
                      on_batch: BatchHook | None = None) -> RotationReport:
    """Re-encrypt every value not yet under ``cipher.current_key_id``, table by table.

    Each batch (at most ``batch_size`` rows; pictures at most ``BLOB_BATCH_SIZE``) is read, then
    written in its own committed transaction, each value only if it is still what was read.
    ``on_batch(table, re_encrypted_in_batch)`` (sync or async) runs after each commit; if it
    raises, the run stops there and the batches already written stay written. Values already
    under the newest key are not touched, so a second run changes nothing. A value no key
    decrypts is reported in ``unreadable_rows`` and left exactly as it is.
    """
    if batch_size < 1:
        raise ValueError("batch_size must be at least 1")
    report = RotationReport(key_id=cipher.current_key_id)
    for spec in ENCRYPTED_COLUMNS:
        await _rotate_column(sessions, cipher, spec, batch_size, on_batch, report)
    report.done = all(t.complete and t.left_behind == 0 for t in report.tables.values())
    log.info("keys.rotate.finished key=%s rotated=%d already_current=%d unreadable=%d done=%s",
             report.key_id, report.rotated, report.already_current, report.unreadable, report.done)
    return report


async def rotate_database(database_url: str, keys: list[bytes], batch_size: int = 200,
                          echo: Callable[[str], None] = print) -> RotationReport:
    """For the CLI: open the database, bring its schema up to date, rotate, print progress, close.

    ``keys`` newest first (as ``parse_keys`` returns them). One line per batch and a summary
    are passed to ``echo``: table names, ids, key ids and counts, never a value.
    """
    from cpc_bot.store.database import create_engine, session_factory
    from cpc_bot.store.migrate import migrate_or_adopt

    cipher = FieldCipher(keys)
    engine = create_engine(database_url)
    try:
        await migrate_or_adopt(engine)
        if len(keys) == 1:
            echo(f"only one key is configured ({cipher.current_key_id}): rewriting only values in an older format")
        echo(f"re-encrypting under key {cipher.current_key_id}, batches of {batch_size}")
        so_far: dict[str, int] = {}
        batches: dict[str, int] = {}

        def progress(table: str, count: int) -> None:
            so_far[table] = so_far.get(table, 0) + count
            batches[table] = batches.get(table, 0) + 1
            echo(f"{table}: batch {batches[table]}: {count} re-encrypted ({so_far[table]} so far)")

        report = await rotate_keys(session_factory(engine), cipher, batch_size=batch_size, on_batch=progress)
        for line in report.summary_lines():
            echo(line)
        return report
    finally:
        await engine.dispose()


def rotation_keys(settings: Settings) -> list[bytes]:
    """The keys from ``Settings`` (newest first) WITHOUT creating a key file the way the bot does
    at start-up: rotating under a freshly made key would find nothing readable."""
    from cpc_bot.config import ConfigError
    from cpc_bot.store.crypto import parse_keys, read_key_file

    secret = settings.encryption_keys
    name = "CPC_ENCRYPTION_KEYS" if secret is not None else "CPC_KEY_FILE"
    try:
        return parse_keys(secret.get_secret_value()) if secret is not None else read_key_file(settings.key_file)
    except (ValueError, OSError) as exc:
        raise ConfigError(f"{name}: {exc}") from None


async def holds_encrypted_data(engine: AsyncEngine) -> bool:
    """Whether any encrypted column holds a value (a table not made yet holds none). Asked
    before a new key file is made: a new key over such a database could read none of it."""
    async with engine.connect() as conn:
        tables = set(await conn.run_sync(lambda sync: sa.inspect(sync).get_table_names()))
        for spec in ENCRYPTED_COLUMNS:
            if spec.table in tables:
                column = sa.column(spec.column)
                query = sa.select(sa.literal(1)).select_from(sa.table(spec.table, column)).where(column.is_not(None)).limit(1)
                if (await conn.execute(query)).first() is not None:
                    return True
    return False
