"""Links and members the professional controls: invites.max_uses, uses, code_enc;
conference_members.invite_hash, name_enc.

Revision ID: 0005_links_members
Revises: 0004
Create Date: 2026-12-12

An invite link is for ``max_uses`` people (1 by default) and counts its ``uses``; its code is
kept encrypted so an open link is shown again rather than a new one made. A member remembers
the link they joined through (stopping the link ends the membership) and, if they gave one,
the name the professional sees (encrypted).
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_links_members"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invites") as batch:
        batch.add_column(sa.Column("max_uses", sa.Integer(), nullable=False, server_default="1"))
        batch.add_column(sa.Column("uses", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("code_enc", sa.Text(), nullable=True))
    with op.batch_alter_table("conference_members") as batch:
        batch.add_column(sa.Column("invite_hash", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("name_enc", sa.Text(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("conference_members") as batch:
        batch.drop_column("name_enc")
        batch.drop_column("invite_hash")
    with op.batch_alter_table("invites") as batch:
        batch.drop_column("code_enc")
        batch.drop_column("uses")
        batch.drop_column("max_uses")
