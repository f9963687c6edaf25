"""Web platform: users, API tokens, the audit log and app-store submissions.

Written against `ganzhi.store.web_tables` and checked by the metadata comparison test; timestamps are
plain `DateTime(timezone=True)` so this script never imports the ORM.

Revision ID: 0004_web
Revises: 0003_publications
Create Date: 2026-11-30
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004_web"
down_revision: str | None = "0003_publications"
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
        "web_users",
        sa.Column("id", _KEY, autoincrement=True, nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("display_name", sa.String(length=200), nullable=False),
        sa.Column("password_hash", sa.String(length=256), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("scope_id", sa.String(length=64), nullable=True),
        sa.Column("webhook_secret", sa.String(length=128), nullable=True),
        sa.Column("disabled", sa.Boolean(), nullable=False),
        _timestamp("created_at"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_users")),
        sa.UniqueConstraint("username", name=op.f("uq_web_users_username")),
    )
    _index("web_users", ["scope_id"])
    op.create_table(
        "web_api_tokens",
        sa.Column("id", _KEY, autoincrement=True, nullable=False),
        sa.Column("user_id", _KEY, nullable=False),
        sa.Column("name", sa.String(length=128), nullable=False),
        sa.Column("prefix", sa.String(length=32), nullable=False),
        sa.Column("token_hash", sa.String(length=64), nullable=False),
        _timestamp("created_at"),
        _timestamp("last_used_at", nullable=True),
        _timestamp("revoked_at", nullable=True),
        sa.ForeignKeyConstraint(
            ["user_id"], ["web_users.id"], name=op.f("fk_web_api_tokens_user_id_web_users"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_api_tokens")),
        sa.UniqueConstraint("token_hash", name=op.f("uq_web_api_tokens_token_hash")),
    )
    _index("web_api_tokens", ["user_id"])
    op.create_table(
        "web_audit_log",
        sa.Column("id", _KEY, autoincrement=True, nullable=False),
        _timestamp("at"),
        sa.Column("actor", sa.String(length=1024), nullable=False),
        sa.Column("role", sa.String(length=32), nullable=False),
        sa.Column("action", sa.String(length=128), nullable=False),
        sa.Column("target", sa.String(length=1024), nullable=False),
        sa.Column("detail", sa.JSON(), nullable=False),
        sa.Column("client", sa.String(length=128), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_web_audit_log")),
    )
    _index("web_audit_log", ["at"])
    _index("web_audit_log", ["actor", "id"])
    op.create_table(
        "store_submissions",
        sa.Column("id", _KEY, autoincrement=True, nullable=False),
        sa.Column("store_id", sa.String(length=64), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("filename", sa.String(length=200), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("status", sa.String(length=32), nullable=False),
        sa.Column("verdict", sa.String(length=32), nullable=True),
        sa.Column("package", sa.String(length=1024), nullable=True),
        sa.Column("version_name", sa.String(length=128), nullable=True),
        sa.Column("app_name", sa.String(length=200), nullable=True),
        sa.Column("run_id", sa.String(length=64), nullable=True),
        sa.Column("findings", sa.JSON(), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("callback_url", sa.String(length=1024), nullable=True),
        sa.Column("callback_status", sa.String(length=128), nullable=True),
        sa.Column("submitted_by", sa.String(length=1024), nullable=False),
        _timestamp("created_at"),
        _timestamp("finished_at", nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_store_submissions")),
        sa.UniqueConstraint("store_id", "sha256", name=op.f("uq_store_submissions_store_id_sha256")),
    )
    _index("store_submissions", ["sha256"])


def downgrade() -> None:
    op.drop_table("store_submissions")
    op.drop_table("web_audit_log")
    op.drop_table("web_api_tokens")
    op.drop_table("web_users")
