"""Initial schema: the tables the bot made with create_all before it had migrations.

Revision ID: 0001
Revises:
Create Date: 2026-12-01

A database made by that create_all code is stamped at this revision (see
``cpc_bot.store.migrate.migrate_or_adopt``), so this must build exactly what create_all builds:
the same unnamed primary and foreign keys (the database names them), the same index names.
``UTCDateTime`` is ``DateTime(timezone=True)`` in the database; its UTC handling is Python-side only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _ts(name: str, nullable: bool = False) -> sa.Column:  # type: ignore[type-arg]
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.create_table(
        "users",
        sa.Column("id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=True),
        sa.Column("role", sa.String(length=16), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("id"),
    )

    op.create_table(
        "responses",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("dialog_id", sa.String(length=64), nullable=False),
        sa.Column("dialog_version", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("cursor", sa.String(length=128), nullable=True),
        sa.Column("return_to_review", sa.Boolean(), nullable=False),
        sa.Column("locale", sa.String(length=16), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        _ts("finished_at", nullable=True),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_responses_user_id", "responses", ["user_id"], unique=False)

    op.create_table(
        "answers",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("response_id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=128), nullable=False),
        sa.Column("value_enc", sa.Text(), nullable=True),
        sa.Column("skipped", sa.Boolean(), nullable=False),
        _ts("updated_at"),
        sa.ForeignKeyConstraint(["response_id"], ["responses.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("response_id", "key", name="uq_answer_response_key"),
    )
    op.create_index("ix_answers_response_id", "answers", ["response_id"], unique=False)

    op.create_table(
        "blobs",
        sa.Column("id", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("mime_type", sa.String(length=64), nullable=False),
        sa.Column("data_enc", sa.LargeBinary(), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_blobs_user_id", "blobs", ["user_id"], unique=False)

    op.create_table(
        "fsm_states",
        sa.Column("key", sa.String(length=200), nullable=False),
        sa.Column("state", sa.String(length=200), nullable=True),
        sa.Column("data", sa.Text(), server_default="{}", nullable=False),
        _ts("updated_at"),
        sa.PrimaryKeyConstraint("key"),
    )

    op.create_table(
        "processed_updates",
        sa.Column("update_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("bot_id", sa.BigInteger(), autoincrement=False, nullable=False),
        _ts("created_at"),
        sa.PrimaryKeyConstraint("update_id", "bot_id"),
    )

    op.create_table(
        "reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("ref", sa.String(length=128), nullable=False),
        sa.Column("kind", sa.String(length=48), nullable=False),
        sa.Column("params", sa.Text(), server_default="{}", nullable=False),
        _ts("due_at"),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("working_days_only", sa.Boolean(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        _ts("claimed_at", nullable=True),
        _ts("sent_at", nullable=True),
        _ts("created_at"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("user_id", "ref", name="uq_reminders_user_ref"),
    )
    op.create_index("ix_reminders_user_id", "reminders", ["user_id"], unique=False)
    op.create_index("ix_reminders_status_due", "reminders", ["status", "due_at"], unique=False)

    op.create_table(
        "conferences",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("owner_id", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("role", sa.String(length=24), nullable=False),
        _ts("starts_at"),
        sa.Column("has_time", sa.Boolean(), nullable=False),
        sa.Column("case_ref_enc", sa.Text(), nullable=True),
        _ts("created_at"),
        _ts("updated_at"),
        sa.ForeignKeyConstraint(["owner_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_conferences_owner_id", "conferences", ["owner_id"], unique=False)

    op.create_table(
        "invites",
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        _ts("expires_at"),
        sa.Column("revoked", sa.Boolean(), nullable=False),
        _ts("created_at"),
        sa.ForeignKeyConstraint(["conference_id"], ["conferences.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("code_hash"),
    )
    op.create_index("ix_invites_conference_id", "invites", ["conference_id"], unique=False)

    op.create_table(
        "conference_members",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("conference_id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=False),
        sa.Column("audience", sa.String(length=16), nullable=False),
        _ts("joined_at"),
        sa.ForeignKeyConstraint(["conference_id"], ["conferences.id"], ondelete="CASCADE"),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("conference_id", "user_id", name="uq_member"),
    )
    op.create_index("ix_conference_members_conference_id", "conference_members", ["conference_id"], unique=False)
    op.create_index("ix_conference_members_user_id", "conference_members", ["user_id"], unique=False)


def downgrade() -> None:
    # Children before parents, so no foreign key points at a dropped table.
    op.drop_index("ix_conference_members_user_id", table_name="conference_members")
    op.drop_index("ix_conference_members_conference_id", table_name="conference_members")
    op.drop_table("conference_members")
    op.drop_index("ix_invites_conference_id", table_name="invites")
    op.drop_table("invites")
    op.drop_index("ix_conferences_owner_id", table_name="conferences")
    op.drop_table("conferences")
    op.drop_index("ix_reminders_status_due", table_name="reminders")
    op.drop_index("ix_reminders_user_id", table_name="reminders")
    op.drop_table("reminders")
    op.drop_table("processed_updates")
    op.drop_table("fsm_states")
    op.drop_index("ix_blobs_user_id", table_name="blobs")
    op.drop_table("blobs")
    op.drop_index("ix_answers_response_id", table_name="answers")
    op.drop_table("answers")
    op.drop_index("ix_responses_user_id", table_name="responses")
    op.drop_table("responses")
    op.drop_table("users")
