"""Discreet mode: users.discreet.

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-03

``users.discreet``: the person shares their phone, or lives with someone who hurts them, so
the messages the bot starts by itself (reminders) carry neutral words only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.add_column(sa.Column("discreet", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table("users") as batch:
        batch.drop_column("discreet")
