"""Live collection: crawl runs, the persisted frontier, fetched pages and extracted evidence.

Written against `ganzhi.store.crawl_tables` and checked by the metadata comparison test; timestamps are
plain `DateTime(timezone=True)` so this script never imports the ORM.

Revision ID: 0005_crawl
Revises: 0004_web
Create Date: 2026-12-08
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005_crawl"
down_revision: str | None = "0004_web"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _index(table: str, columns: list[str], *, unique: bool = False) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_{'_'.join(columns)}"), columns, unique=unique)


def upgrade() -> None:
    op.create_table(
        "crawl_runs",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("sites", sa.JSON(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        _timestamp("started_at"),
        _timestamp("finished_at", nullable=True),
        sa.Column("started_by", sa.String(length=128), nullable=False),
        sa.Column("stats", sa.JSON(), nullable=False),
        sa.Column("evidence_path", sa.String(length=1024), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_runs")),
    )
    _index("crawl_runs", ["status"])
    op.create_table(
        "crawl_frontier",
        sa.Column("id", _KEY, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("host", sa.String(length=128), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("url_hash", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("depth", sa.Integer(), nullable=False),
        sa.Column("parent_id", _KEY, nullable=True),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("reason", sa.Text(), nullable=True),
        _timestamp("updated_at"),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_crawl_frontier_run_id_crawl_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_frontier")),
        sa.UniqueConstraint("run_id", "url_hash", name=op.f("uq_crawl_frontier_run_id_url_hash")),
    )
    _index("crawl_frontier", ["run_id", "site", "state", "id"])
    op.create_table(
        "crawl_pages",
        sa.Column("id", _KEY, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("frontier_id", _KEY, nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("rule", sa.String(length=64), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("final_url", sa.Text(), nullable=False),
        sa.Column("status", sa.Integer(), nullable=False),
        sa.Column("headers", sa.JSON(), nullable=False),
        _timestamp("fetched_at"),
        sa.Column("elapsed_ms", sa.Integer(), nullable=False),
        sa.Column("media_type", sa.String(length=128), nullable=False),
        sa.Column("body_sha256", sa.String(length=64), nullable=False),
        sa.Column("body_size", sa.Integer(), nullable=False),
        sa.Column("screenshot_sha256", sa.String(length=64), nullable=True),
        sa.Column("flags", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["frontier_id"],
            ["crawl_frontier.id"],
            name=op.f("fk_crawl_pages_frontier_id_crawl_frontier"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_crawl_pages_run_id_crawl_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_pages")),
        sa.UniqueConstraint("frontier_id", name=op.f("uq_crawl_pages_frontier_id")),
    )
    _index("crawl_pages", ["run_id", "site"])
    op.create_table(
        "crawl_evidence",
        sa.Column("id", _KEY, autoincrement=True, nullable=False),
        sa.Column("run_id", sa.String(length=64), nullable=False),
        sa.Column("site", sa.String(length=64), nullable=False),
        sa.Column("kind", sa.String(length=128), nullable=False),
        sa.Column("subject_key", sa.String(length=1024), nullable=False),
        sa.Column("evidence_id", sa.String(length=64), nullable=False),
        sa.Column("envelope", sa.JSON(), nullable=False),
        sa.ForeignKeyConstraint(
            ["run_id"], ["crawl_runs.id"], name=op.f("fk_crawl_evidence_run_id_crawl_runs"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_crawl_evidence")),
        sa.UniqueConstraint("run_id", "evidence_id", name=op.f("uq_crawl_evidence_run_id_evidence_id")),
    )
    _index("crawl_evidence", ["run_id", "site"])


def downgrade() -> None:
    for table in ("crawl_evidence", "crawl_pages", "crawl_frontier", "crawl_runs"):
        op.drop_table(table)
