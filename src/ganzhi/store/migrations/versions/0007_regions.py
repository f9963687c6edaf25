"""Provincial regulators, complaints by province, forced password change, 典型案例 records.

Written against `ganzhi.store.web_tables` and `ganzhi.store.practice_tables` and checked by the
metadata comparison test. Existing users stay national (`provinces` NULL) and keep their passwords
(`must_change_password` false).

Revision ID: 0007_regions
Revises: 0006_access
Create Date: 2026-12-07
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0007_regions"
down_revision: str | None = "0006_access"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    with op.batch_alter_table("web_users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("provinces", sa.String(length=1024), nullable=True))
        batch_op.add_column(sa.Column("must_change_password", sa.Boolean(), nullable=False, server_default=sa.false()))
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.add_column(sa.Column("province", sa.String(length=128), nullable=True))
        batch_op.create_index(batch_op.f("ix_complaints_province"), ["province"], unique=False)
    op.create_table(
        "good_practices",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("enterprise_id", sa.String(length=64), nullable=False),
        sa.Column("task", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=1024), nullable=False),
        sa.Column("practice", sa.Text(), nullable=False),
        sa.Column("evidence", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("created_by", sa.String(length=128), nullable=False),
        _timestamp("created_at"),
        sa.Column("approved_by", sa.String(length=128), nullable=True),
        _timestamp("approved_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["enterprise_id"],
            ["enterprises.id"],
            name=op.f("fk_good_practices_enterprise_id_enterprises"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_good_practices")),
    )
    with op.batch_alter_table("good_practices", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_good_practices_enterprise_id"), ["enterprise_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_good_practices_status_task"), ["status", "task"], unique=False)


def downgrade() -> None:
    op.drop_table("good_practices")
    with op.batch_alter_table("complaints", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_complaints_province"))
        batch_op.drop_column("province")
    with op.batch_alter_table("web_users", schema=None) as batch_op:
        batch_op.drop_column("must_change_password")
        batch_op.drop_column("provinces")
