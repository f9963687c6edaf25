"""Supervision part 2: published snapshots (hash chain), look-backs and complaints.

Written against `ganzhi.store.publication_tables` and checked by the metadata comparison test;
timestamps are plain `DateTime(timezone=True)` so this script never imports the ORM.

Revision ID: 0003_publications
Revises: 0002_supervision
Create Date: 2026-11-29
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003_publications"
down_revision: str | None = "0002_supervision"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _index(table: str, columns: list[str]) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_{'_'.join(columns)}"), columns, unique=False)


def upgrade() -> None:
    op.create_table(
        "publications",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column("created_by", sa.String(length=1024), nullable=False),
        _timestamp("created_at"),
        sa.Column("body", sa.JSON(), nullable=False),
        sa.Column("approved_by", sa.String(length=1024), nullable=True),
        _timestamp("approved_at", nullable=True),
        sa.Column("seq", sa.Integer(), nullable=True),
        sa.Column("year", sa.Integer(), nullable=True),
        sa.Column("batch_in_year", sa.Integer(), nullable=True),
        sa.Column("batch_total", sa.Integer(), nullable=True),
        sa.Column("prev_hash", sa.String(length=64), nullable=True),
        sa.Column("hash", sa.String(length=64), nullable=True),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_publications_campaign_id_campaigns"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_publications")),
        sa.UniqueConstraint("seq", name=op.f("uq_publications_seq")),
    )
    _index("publications", ["status"])
    op.create_table(
        "lookbacks",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("campaign_id", sa.String(length=64), nullable=True),
        sa.Column("round_number", sa.Integer(), nullable=True),
        sa.Column("actor", sa.String(length=1024), nullable=False),
        _timestamp("created_at"),
        sa.Column("selection", sa.JSON(), nullable=False),
        sa.Column("report", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["campaign_id"], ["campaigns.id"], name=op.f("fk_lookbacks_campaign_id_campaigns"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(["run_id"], ["runs.id"], name=op.f("fk_lookbacks_run_id_runs"), ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_lookbacks")),
    )
    _index("lookbacks", ["run_id"])
    op.create_table(
        "complaints",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True, nullable=False),
        sa.Column("external_id", sa.String(length=1024), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("received_on", sa.Date(), nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=True),
        sa.Column("enterprise_name", sa.String(length=200), nullable=True),
        sa.Column("channel", sa.String(length=128), nullable=False),
        sa.Column("task", sa.String(length=32), nullable=False),
        sa.Column("confidence", sa.Float(), nullable=False),
        sa.Column("model", sa.String(length=128), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        _timestamp("imported_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_complaints")),
        sa.UniqueConstraint("external_id", name=op.f("uq_complaints_external_id")),
    )
    _index("complaints", ["enterprise_id", "task"])
    _index("complaints", ["received_on"])


def downgrade() -> None:
    for table in ("complaints", "lookbacks", "publications"):
        op.drop_table(table)
