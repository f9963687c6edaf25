"""Judged UI screens: the overlay picture of each judged ad window of a run (PNG in the blob store).

Written against `ganzhi.store.ui_picture_tables` and checked by the metadata comparison test; timestamps
are plain `DateTime(timezone=True)` so this script never imports the ORM.

Revision ID: 0008_ui_pictures
Revises: 0007_regions
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0008_ui_pictures"
down_revision: str | None = "0007_regions"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def upgrade() -> None:
    op.create_table(
        "ui_pictures",
        sa.Column("id", _KEY, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("evidence_id", sa.String(length=64), nullable=False),
        sa.Column("subject_type", sa.String(length=128), nullable=False),
        sa.Column("subject_id", sa.String(length=1024), nullable=False),
        sa.Column("subject_key", sa.String(length=1024), nullable=False),
        sa.Column("subject", sa.JSON(), nullable=False),
        sa.Column("bundle", sa.String(length=1024), nullable=False),
        sa.Column("window_index", sa.Integer(), nullable=False),
        sa.Column("window", sa.String(length=1024), nullable=False),
        sa.Column("frame", sa.Integer(), nullable=True),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=False),
        sa.Column("facts", sa.JSON(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_ui_pictures_run_id_runs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_ui_pictures")),
        sa.UniqueConstraint(
            "run_id", "evidence_id", "window_index", name=op.f("uq_ui_pictures_run_id_evidence_id_window_index")
        ),
    )
    with op.batch_alter_table("ui_pictures", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_ui_pictures_subject_type_subject_id"), ["subject_type", "subject_id"], unique=False
        )


def downgrade() -> None:
    op.drop_table("ui_pictures")
