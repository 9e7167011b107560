"""Retention and chat clean-up: users.erase_after, and the chat_messages id log.

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01

``users.erase_after`` is the day after which a person's preparation is erased (a set time
after their conference). ``chat_messages`` keeps message ids, never text, for 48 hours so
/delete can remove the conversation from the chat as well.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("erase_after", sa.Date(), nullable=True))
        batch.create_index("ix_users_erase_after", ["erase_after"], unique=False)
    op.create_table(
        "chat_messages",
        sa.Column("chat_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("message_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("chat_id", "message_id"),
    )
    op.create_index("ix_chat_messages_at", "chat_messages", ["at"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_chat_messages_at", table_name="chat_messages")
    op.drop_table("chat_messages")
    with op.batch_alter_table("users") as batch:
        batch.drop_index("ix_users_erase_after")
        batch.drop_column("erase_after")
