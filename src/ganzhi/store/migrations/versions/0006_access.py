"""Revocable access: API token expiry and server-side browser sessions.

Written against `ganzhi.store.web_tables` and checked by the metadata comparison test; timestamps are
plain `DateTime(timezone=True)` so this script never imports the ORM. Tokens issued before this
revision keep `expires_at` NULL (they never expire until revoked); cookies signed before it carry no
session id and read as signed out.

Revision ID: 0006_access
Revises: 0005_crawl
Create Date: 2026-12-10
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006_access"
down_revision: str | None = "0005_crawl"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_KEY = sa.BigInteger().with_variant(sa.Integer(), "sqlite")


def _timestamp(name: str, *, nullable: bool = False) -> sa.Column[object]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def _index(table: str, columns: list[str], *, unique: bool = False) -> None:
    with op.batch_alter_table(table, schema=None) as batch_op:
        batch_op.create_index(batch_op.f(f"ix_{table}_{'_'.join(columns)}"), columns, unique=unique)


def upgrade() -> None:
    with op.batch_alter_table("web_api_tokens", schema=None) as batch_op:
        batch_op.add_column(_timestamp("expires_at", nullable=True))
    op.create_table(
        "web_sessions",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("user_id", _KEY, nullable=False),
        _timestamp("created_at"),
        _timestamp("expires_at"),
        _timestamp("ended_at", nullable=True),
        sa.Column("client", sa.String(length=128), nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["web_users.id"], name=op.f("fk_web_sessions_user_id_web_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_sessions")),
    )
    _index("web_sessions", ["user_id"])
    _index("web_sessions", ["expires_at"])


def downgrade() -> None:
    op.drop_table("web_sessions")
    with op.batch_alter_table("web_api_tokens", schema=None) as batch_op:
        batch_op.drop_column("expires_at")
