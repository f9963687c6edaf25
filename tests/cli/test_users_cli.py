"""`ganzhi users token|tokens|revoke-token|disable|enable`: expiry, revocation and disabling from the console,
each written to the audit log."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from ganzhi.accounts import users as accounts
from ganzhi.cli.users import app
from ganzhi.settings import load_settings
from ganzhi.store.db import make_engine, session_factory, session_scope
from ganzhi.web import audit

PASSWORD = "correct-horse-battery"


def _sessions() -> sessionmaker[Session]:
    return session_factory(make_engine(load_settings().database_url))


def test_tokens_expire_can_be_revoked_and_users_disabled() -> None:
    runner = CliRunner()
    added = runner.invoke(app, ["add", "alice", "--role", "regulator_inspector", "--password", PASSWORD])
    assert added.exit_code == 0, added.output
    first = runner.invoke(app, ["token", "alice", "--name", "ci", "--days", "3"])
    second = runner.invoke(app, ["token", "alice"])
    assert first.exit_code == 0 and second.exit_code == 0, first.output + second.output
    token_a, token_b = first.output.strip(), second.output.strip()
    listed = json.loads(runner.invoke(app, ["tokens", "alice", "--format", "json"]).output)
    assert [t["live"] for t in listed] == [True, True] and token_a not in str(listed)
    lifetime = dt.datetime.fromisoformat(listed[0]["expires_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=2.9) < lifetime < dt.timedelta(days=3.1)
    default = dt.datetime.fromisoformat(listed[1]["expires_at"]) - dt.datetime.now(dt.UTC)
    assert dt.timedelta(days=89.9) < default < dt.timedelta(days=90.1)  # GANZHI_WEB_TOKEN_TTL_DAYS default

    sessions = _sessions()
    revoked = runner.invoke(app, ["revoke-token", "alice", str(listed[0]["id"])])
    assert revoked.exit_code == 0 and "revoked token" in revoked.output
    with session_scope(sessions) as session:
        assert accounts.principal_for_token(session, token_a) is None
        assert accounts.principal_for_token(session, token_b) is not None
    assert runner.invoke(app, ["revoke-token", "alice"]).exit_code != 0  # neither a token nor --all
    assert runner.invoke(app, ["revoke-token", "alice", "nope"]).exit_code != 0

    assert runner.invoke(app, ["disable", "alice"]).exit_code == 0
    with session_scope(sessions) as session:
        assert accounts.principal_for_token(session, token_b) is None
        assert accounts.authenticate(session, "alice", PASSWORD) is None
    assert runner.invoke(app, ["token", "alice"]).exit_code != 0  # no new tokens for a disabled user
    state = json.loads(runner.invoke(app, ["list", "--format", "json"]).output)
    assert state[0]["disabled"] is True
    assert runner.invoke(app, ["enable", "alice"]).exit_code == 0
    with session_scope(sessions) as session:
        assert accounts.principal_for_token(session, token_b) is not None
    assert "revoked 1 token" in runner.invoke(app, ["revoke-token", "alice", "--all"]).output
    with session_scope(sessions) as session:
        actions = [e.action for e in audit.entries(session, actor="regulator_admin:cli")]
    assert actions == ["token.revoke_all", "user.enable", "user.disable", "token.revoke", "token.issue", "token.issue"]
