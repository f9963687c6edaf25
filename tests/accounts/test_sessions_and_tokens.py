"""Server-side browser sessions and token lifetimes in the accounts layer (no HTTP)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.accounts import users as accounts
from ganzhi.accounts.roles import Role
from ganzhi.errors import StoreError
from ganzhi.store.db import session_scope
from ganzhi.store.web_tables import WebSessionRow

PASSWORD = "correct-horse-battery"


def test_sessions_end_on_logout_expiry_and_disable(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        user = accounts.create_user(session, "carol", PASSWORD, Role.REGULATOR_ADMIN)
        assert user.user_id is not None
        one = accounts.start_session(session, user.user_id, dt.timedelta(hours=8))
        two = accounts.start_session(session, user.user_id, dt.timedelta(hours=8))
        short = accounts.start_session(session, user.user_id, dt.timedelta(hours=8))
        found = accounts.principal_for_session(session, one)
        assert found is not None and found.username == "carol"
        assert accounts.end_session(session, one) and not accounts.end_session(session, one)
        assert accounts.principal_for_session(session, one) is None
        assert accounts.principal_for_session(session, two) is not None
        row = session.get(WebSessionRow, short)
        assert row is not None
        row.expires_at = dt.datetime.now(dt.UTC) - dt.timedelta(seconds=1)
        assert accounts.principal_for_session(session, short) is None
        accounts.set_disabled(session, "carol", True)
        assert accounts.principal_for_session(session, two) is None
        with pytest.raises(StoreError, match="disabled"):
            accounts.start_session(session, user.user_id, dt.timedelta(hours=1))
        accounts.set_disabled(session, "carol", False)
        assert accounts.principal_for_session(session, two) is None  # enabling does not revive sessions
        assert accounts.principal_for_session(session, "0" * 64) is None


def test_token_lifetime_and_revocation_by_prefix(sessions: sessionmaker[Session]) -> None:
    with session_scope(sessions) as session:
        accounts.create_user(session, "dave", PASSWORD, Role.REGULATOR_INSPECTOR)
        token = accounts.issue_token(session, "dave", "ci", ttl=dt.timedelta(days=1))
        assert accounts.principal_for_token(session, token) is not None
        with pytest.raises(StoreError, match="positive"):
            accounts.issue_token(session, "dave", "ci", ttl=dt.timedelta(0))
        info = accounts.revoke_token(session, "dave", token[:12])
        assert info.revoked_at is not None and not info.live(dt.datetime.now(dt.UTC))
        assert accounts.principal_for_token(session, token) is None
        with pytest.raises(StoreError, match="no token"):
            accounts.revoke_token(session, "dave", "gzk_missing")
