"""The web chat's way back for people who start fresh: web_access.

Revision ID: 0006_web_access
Revises: 0005_links_members
Create Date: 2026-12-03

One row per person who started on the web (negative user ids): the code's selector, plain,
and a salted scrypt hash of its secret part. Deleted with the person (cascade).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_web_access"
down_revision: str | Sequence[str] | None = "0005_links_members"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "web_access",
        sa.Column("user_id", sa.BigInteger(), sa.ForeignKey("users.id", ondelete="CASCADE"), primary_key=True,
                  autoincrement=False),
        sa.Column("selector", sa.String(length=8), nullable=False, unique=True),
        sa.Column("secret_hash", sa.String(length=128), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("last_seen_at", sa.DateTime(timezone=True), nullable=False),
    )


def downgrade() -> None:
    op.drop_table("web_access")
