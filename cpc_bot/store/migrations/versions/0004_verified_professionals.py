"""Verified professionals: profiles, mailed codes, area admins, the audit trail.

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-10

``professional_profiles``: what a professional gave to be verified (name, job, organisation,
work email: encrypted) and until when they are verified. ``verification_codes``: keyed hashes
of mailed codes and addresses, for the 10-minute code and the daily caps. ``area_admins``: who
approves professionals in each area (besides ``CPC_ADMINS``). ``verification_events``: who
approved, refused or revoked whom, and when; ids and fixed words only.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "professional_profiles",
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("area", sa.String(length=32), nullable=True),
        sa.Column("name_enc", sa.Text(), nullable=True),
        sa.Column("job_enc", sa.Text(), nullable=True),
        sa.Column("organisation_enc", sa.Text(), nullable=True),
        sa.Column("email_enc", sa.Text(), nullable=True),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("method", sa.String(length=16), nullable=True),
        sa.Column("verified_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("user_id"),
    )
    op.create_table(
        "verification_codes",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("user_id", sa.BigInteger(), nullable=True),
        sa.Column("address_hash", sa.String(length=64), nullable=False),
        sa.Column("code_hash", sa.String(length=64), nullable=False),
        sa.Column("tries", sa.Integer(), nullable=False),
        sa.Column("used", sa.Boolean(), nullable=False),
        sa.Column("expires_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["user_id"], ["users.id"], ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_verification_codes_user_id", "verification_codes", ["user_id"], unique=False)
    op.create_index("ix_verification_codes_address_hash", "verification_codes", ["address_hash"], unique=False)
    op.create_index("ix_verification_codes_created_at", "verification_codes", ["created_at"], unique=False)
    op.create_table(
        "area_admins",
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.Column("user_id", sa.BigInteger(), autoincrement=False, nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("area", "user_id"),
    )
    op.create_table(
        "verification_events",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("actor_id", sa.BigInteger(), nullable=True),
        sa.Column("subject_id", sa.BigInteger(), nullable=False),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("area", sa.String(length=32), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_verification_events_subject_id", "verification_events", ["subject_id"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_verification_events_subject_id", table_name="verification_events")
    op.drop_table("verification_events")
    op.drop_table("area_admins")
    op.drop_index("ix_verification_codes_created_at", table_name="verification_codes")
    op.drop_index("ix_verification_codes_address_hash", table_name="verification_codes")
    op.drop_index("ix_verification_codes_user_id", table_name="verification_codes")
    op.drop_table("verification_codes")
    op.drop_table("professional_profiles")
