"""`ganzhi users reset-password` and `users provinces`: a reset ends the user's sessions, forces a change at
the next sign-in and states the password policy; the own change clears the flag and checks the policy."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from ganzhi.accounts import users as accounts
from ganzhi.cli.users import app
from ganzhi.errors import StoreError
from ganzhi.settings import load_settings
from ganzhi.store.db import make_engine, session_factory, session_scope
from ganzhi.web import audit

PASSWORD = "correct-horse-battery"


def _sessions() -> sessionmaker[Session]:
    return session_factory(make_engine(load_settings().database_url))


def test_reset_password_forces_a_change_and_ends_sessions() -> None:
    runner = CliRunner()
    assert runner.invoke(app, ["add", "carol", "--role", "regulator_inspector", "--password", PASSWORD]).exit_code == 0
    sessions = _sessions()
    with session_scope(sessions) as session:
        user = accounts.authenticate(session, "carol", PASSWORD)
        assert user is not None and user.user_id is not None and not user.must_change_password
        live = accounts.start_session(session, user.user_id, dt.timedelta(hours=1))
    reset = runner.invoke(app, ["reset-password", "carol"])
    assert reset.exit_code == 0, reset.output
    assert "至少 10 位" in reset.output
    chosen = reset.output.split("新密码 / new password: ", 1)[1].split()[0]
    with session_scope(sessions) as session:
        assert accounts.principal_for_session(session, live) is None  # whoever was signed in is out
        assert accounts.authenticate(session, "carol", PASSWORD) is None
        fresh = accounts.authenticate(session, "carol", chosen)
        assert fresh is not None and fresh.must_change_password and fresh.user_id is not None
        assert any(e.action == "user.reset_password" for e in audit.entries(session))
        with pytest.raises(StoreError, match="current password"):
            accounts.change_own_password(session, fresh.user_id, "wrong-password-1", "another-secret-1")
        with pytest.raises(ValueError, match="too short"):
            accounts.change_own_password(session, fresh.user_id, chosen, "short")
        with pytest.raises(ValueError, match="user name"):
            accounts.change_own_password(session, fresh.user_id, chosen, "CAROL")
        changed = accounts.change_own_password(session, fresh.user_id, chosen, "another-secret-1")
        assert not changed.must_change_password
    kept = runner.invoke(app, ["reset-password", "carol", "--password", "given-by-admin-1", "--no-force-change"])
    assert kept.exit_code == 0 and "given-by-admin-1" not in kept.output
    with session_scope(sessions) as session:
        again = accounts.authenticate(session, "carol", "given-by-admin-1")
        assert again is not None and not again.must_change_password
    assert runner.invoke(app, ["reset-password", "nobody"]).exit_code != 0
    assert runner.invoke(app, ["reset-password", "carol", "--password", "short"]).exit_code != 0


def test_provinces_scope_a_regulator_account() -> None:
    runner = CliRunner()
    made = runner.invoke(
        app, ["add", "gdreg", "--role", "regulator_inspector", "--password", PASSWORD, "--province", "广东"]
    )
    assert made.exit_code == 0, made.output
    assert "广东" in runner.invoke(app, ["list"]).output
    assert "北京、广东" in runner.invoke(app, ["provinces", "gdreg", "广东", "北京"]).output
    assert "全国" in runner.invoke(app, ["provinces", "gdreg"]).output
