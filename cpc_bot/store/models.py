"""SQLModel tables. Personal text lives only in ``*_enc`` columns, encrypted per field."""

from __future__ import annotations

from datetime import UTC, date, datetime

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel


class UTCDateTime(TypeDecorator[datetime]):
    """Stores aware UTC datetimes; SQLite forgets the zone, so it is put back on read."""

    impl = sa.DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given to a UTC column")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: sa.Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def _ts(nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(UTCDateTime(), nullable=nullable)


class User(SQLModel, table=True):
    """A Telegram user. We keep no name or phone number: only what the bot needs."""

    __tablename__ = "users"

    id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    locale: str | None = Field(default=None, max_length=16)
    role: str | None = Field(default=None, max_length=16)
    #: The day after which their preparation (answers, booklet, pictures) is erased: a set
    #: time after the conference they told us about. None: no conference date known.
    erase_after: date | None = Field(default=None, sa_column=sa.Column(sa.Date, nullable=True, index=True))
    #: Discreet mode: messages the bot starts by itself (reminders) say nothing about child
    #: protection, for someone who shares their phone or lives with someone who hurts them.
    discreet: bool = Field(default=False, sa_column=sa.Column(sa.Boolean, nullable=False, server_default=sa.false()))
    created_at: datetime = Field(sa_column=_ts())
    updated_at: datetime = Field(sa_column=_ts())


class Response(SQLModel, table=True):
    """One person's run through one questionnaire; ``cursor`` is where they are."""

    __tablename__ = "responses"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=sa.Column(sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False))
    dialog_id: str = Field(max_length=64)
    dialog_version: int
    status: str = Field(default="in_progress", max_length=16)
    cursor: str | None = Field(default=None, max_length=128)
    return_to_review: bool = False
    locale: str | None = Field(default=None, max_length=16)
    created_at: datetime = Field(sa_column=_ts())
    updated_at: datetime = Field(sa_column=_ts())
    finished_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))


class Answer(SQLModel, table=True):
    """One answer, JSON encrypted and bound to (response, key) and the response's person."""

    __tablename__ = "answers"
    __table_args__ = (sa.UniqueConstraint("response_id", "key", name="uq_answer_response_key"),)

    id: int | None = Field(default=None, primary_key=True)
    response_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("responses.id", ondelete="CASCADE"), index=True, nullable=False))
    key: str = Field(max_length=128)
    value_enc: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    skipped: bool = False
    updated_at: datetime = Field(sa_column=_ts())


class Blob(SQLModel, table=True):
    """A file a user sent (a drawing), encrypted; ``id`` is random so it binds before insert."""

    __tablename__ = "blobs"

    id: str = Field(primary_key=True, max_length=32)
    user_id: int = Field(sa_column=sa.Column(sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False))
    mime_type: str = Field(max_length=64)
    data_enc: bytes = Field(sa_column=sa.Column(sa.LargeBinary, nullable=False))
    created_at: datetime = Field(sa_column=_ts())


class FsmRecord(SQLModel, table=True):
    """aiogram FSM state and data (JSON, no free text) for the SQL storage."""

    __tablename__ = "fsm_states"

    key: str = Field(primary_key=True, max_length=200)
    state: str | None = Field(default=None, max_length=200)
    data: str = Field(default="{}", sa_column=sa.Column(sa.Text, nullable=False, server_default="{}"))
    updated_at: datetime = Field(sa_column=_ts())


class ProcessedUpdate(SQLModel, table=True):
    """Update ids already handled, so a redelivered update is handled once."""

    __tablename__ = "processed_updates"

    update_id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    bot_id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    created_at: datetime = Field(sa_column=_ts())


class ChatMessage(SQLModel, table=True):
    """Ids (never text) of the messages in each chat, theirs and the bot's, from the last two
    days: /delete removes them from the chat too, which Telegram allows for 48 hours."""

    __tablename__ = "chat_messages"
    __table_args__ = (sa.Index("ix_chat_messages_at", "at"),)

    chat_id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    message_id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    at: datetime = Field(sa_column=_ts())


class Reminder(SQLModel, table=True):
    """A message the bot owes someone at a time. These rows are the truth, not the scheduler.

    ``ref`` names what the reminder is about (``conference:12:report_due:morning``); with
    ``user_id`` it is unique, so scheduling the same reminder twice keeps one row.
    The text is made at send time, in the person's language, from ``kind`` and ``params``.
    """

    __tablename__ = "reminders"
    __table_args__ = (
        sa.UniqueConstraint("user_id", "ref", name="uq_reminders_user_ref"),
        sa.Index("ix_reminders_status_due", "status", "due_at"),
    )

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(sa_column=sa.Column(sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False))
    ref: str = Field(max_length=128)
    kind: str = Field(max_length=48)
    params: str = Field(default="{}", sa_column=sa.Column(sa.Text, nullable=False, server_default="{}"))
    due_at: datetime = Field(sa_column=_ts())
    #: pending -> sending -> sent; or done (the person said so), cancelled, failed.
    status: str = Field(default="pending", max_length=16)
    working_days_only: bool = False
    attempts: int = 0
    claimed_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    sent_at: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(sa_column=_ts())


class Conference(SQLModel, table=True):
    """A conference a professional registered. No child names: an optional case reference only."""

    __tablename__ = "conferences"

    id: int | None = Field(default=None, primary_key=True)
    owner_id: int = Field(sa_column=sa.Column(sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False))
    kind: str = Field(max_length=16)  # initial | review | pre_birth
    area: str = Field(max_length=32)
    role: str = Field(max_length=24)  # professional | social_worker
    starts_at: datetime = Field(sa_column=_ts())
    has_time: bool = True
    case_ref_enc: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    created_at: datetime = Field(sa_column=_ts())
    updated_at: datetime = Field(sa_column=_ts())


class Invite(SQLModel, table=True):
    """An invite link for family members: for ``max_uses`` people (one unless the professional
    chose more). It is looked up by a hash of the code; the code itself is kept encrypted
    (``invites.code_enc:<code_hash>``, bound to the conference and its professional) only so the professional can be shown an open link again
    instead of a new one being made at every tap."""

    __tablename__ = "invites"

    code_hash: str = Field(primary_key=True, max_length=64)
    conference_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True, nullable=False))
    audience: str = Field(max_length=16)  # parent | child
    expires_at: datetime = Field(sa_column=_ts())
    revoked: bool = False
    created_at: datetime = Field(sa_column=_ts())
    max_uses: int = Field(default=1, sa_column=sa.Column(sa.Integer, nullable=False, server_default="1"))
    uses: int = Field(default=0, sa_column=sa.Column(sa.Integer, nullable=False, server_default="0"))
    code_enc: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))


class ConferenceMember(SQLModel, table=True):
    """A family member who joined through an invite (by tapping Join): their reminders follow
    this conference, and they can send to its professional until the link's expiry, unless the
    professional removes them or stops the link. ``name_enc``: the name they chose to give the
    professional (encrypted, ``conference_members.name_enc:<id>``, bound to the person, the conference
    and its professional)."""

    __tablename__ = "conference_members"
    __table_args__ = (sa.UniqueConstraint("conference_id", "user_id", name="uq_member"),)

    id: int | None = Field(default=None, primary_key=True)
    conference_id: int = Field(sa_column=sa.Column(sa.Integer, sa.ForeignKey("conferences.id", ondelete="CASCADE"), index=True, nullable=False))
    user_id: int = Field(sa_column=sa.Column(sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), index=True, nullable=False))
    audience: str = Field(max_length=16)
    joined_at: datetime = Field(sa_column=_ts())
    #: The link they joined through (None: joined before links were counted).
    invite_hash: str | None = Field(default=None, max_length=64)
    name_enc: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))


class ProfessionalProfile(SQLModel, table=True):
    """What a professional told us to be verified, and where verification stands.

    Name, job, organisation and work email are encrypted, each bound to its column and the
    person (``professional_profiles.<column>:<user id>``). ``status``: draft (still answering)
    -> pending (waiting for an admin) or code (waiting for the mailed code) -> verified until
    ``verified_until``; or refused, or revoked.
    """

    __tablename__ = "professional_profiles"

    user_id: int = Field(sa_column=sa.Column(sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"),
                                             primary_key=True, autoincrement=False))
    area: str | None = Field(default=None, max_length=32)
    name_enc: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    job_enc: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    organisation_enc: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    email_enc: str | None = Field(default=None, sa_column=sa.Column(sa.Text, nullable=True))
    status: str = Field(default="draft", max_length=16)
    method: str | None = Field(default=None, max_length=16)  # admin | email
    verified_until: datetime | None = Field(default=None, sa_column=_ts(nullable=True))
    created_at: datetime = Field(sa_column=_ts())
    updated_at: datetime = Field(sa_column=_ts())


class VerificationCode(SQLModel, table=True):
    """A one-time code mailed to a work address. Only keyed hashes of the code and the address
    are kept. A row outlives its person's /delete by a day at most (``user_id`` is then empty),
    so deleting an account cannot reset the daily cap on mail to an address."""

    __tablename__ = "verification_codes"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int | None = Field(default=None, sa_column=sa.Column(
        sa.BigInteger, sa.ForeignKey("users.id", ondelete="SET NULL"), index=True, nullable=True))
    address_hash: str = Field(max_length=64, index=True)
    code_hash: str = Field(max_length=64)
    tries: int = 0
    used: bool = False
    expires_at: datetime = Field(sa_column=_ts())
    created_at: datetime = Field(sa_column=sa.Column(UTCDateTime(), nullable=False, index=True))


class AreaAdmin(SQLModel, table=True):
    """Someone who approves professionals for an area (added with ``cpc-bot admins add``)."""

    __tablename__ = "area_admins"

    area: str = Field(primary_key=True, max_length=32)
    user_id: int = Field(sa_column=sa.Column(sa.BigInteger, primary_key=True, autoincrement=False))
    created_at: datetime = Field(sa_column=_ts())


class VerificationEvent(SQLModel, table=True):
    """The audit trail: who (``actor_id``; none for the command line) did what to whom, when.
    Ids and fixed words only, never free text."""

    __tablename__ = "verification_events"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_column=_ts())
    actor_id: int | None = Field(default=None, sa_column=sa.Column(sa.BigInteger, nullable=True))
    subject_id: int = Field(sa_column=sa.Column(sa.BigInteger, nullable=False, index=True))
    #: approved | refused | revoked | email_verified
    action: str = Field(max_length=16)
    area: str = Field(max_length=32)


class WebAccess(SQLModel, table=True):
    """How someone who started fresh on the web comes back: their code, never kept as it is.

    The code shown once is ``selector`` (4 letters, kept plain to find the row) then a secret
    (8 letters) of which only a salted scrypt hash is kept, so the table alone opens nothing.
    Web people have negative ids, which Telegram never gives a user. Deleted with the person."""

    __tablename__ = "web_access"

    user_id: int = Field(sa_column=sa.Column(
        sa.BigInteger, sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, autoincrement=False))
    selector: str = Field(sa_column=sa.Column(sa.String(8), nullable=False, unique=True))
    secret_hash: str = Field(max_length=128)
    created_at: datetime = Field(sa_column=_ts())
    last_seen_at: datetime = Field(sa_column=_ts())
