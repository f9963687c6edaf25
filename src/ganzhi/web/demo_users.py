"""Demo accounts for `ganzhi serve --demo`: one per role, on fictional enterprises and a store.

The demo campaign (T9 携号转网) names operators; each gets an enterprise row linked to the subjects the
demo inspected, so an enterprise login sees its own issues and nothing else.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ganzhi.catalog.schema import EnterpriseType
from ganzhi.store import supervision_repo
from ganzhi.store.tables import IssueRow
from ganzhi.store.web_tables import UserRow
from ganzhi.supervision.models import Enterprise, SubjectLink
from ganzhi.supervision.uscc import complete_uscc
from ganzhi.web import accounts
from ganzhi.web.accounts import Role

DEMO_STORE = "demo-store"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    role: str
    scope_id: str | None


def _operators(session: Session) -> dict[str, list[str]]:
    """Subject keys of the demo's issues grouped by the enterprise the evidence names."""
    grouped: dict[str, list[str]] = {}
    for payload in session.scalars(select(IssueRow.payload)):
        subject = payload.get("subject", {})
        owner = subject.get("enterprise") or "demo-operator"
        grouped.setdefault(str(owner), []).append(f"{subject.get('type')}:{subject.get('id')}")
    return grouped


def install_demo_users(session: Session) -> list[DemoLogin]:
    """Create the demo enterprises and one user per role (skipped when the users already exist)."""
    if session.scalar(select(UserRow.id).where(UserRow.username == "admin")) is not None:
        return []
    logins: list[DemoLogin] = []
    first_enterprise: str | None = None
    for n, (owner, keys) in enumerate(sorted(_operators(session).items()), start=1):
        eid = f"demo-ent-{n}"
        links = [SubjectLink(subject_type=k.split(":", 1)[0], subject_id=k.split(":", 1)[1]) for k in sorted(set(keys))]
        supervision_repo.upsert_enterprise(
            session,
            Enterprise(
                id=eid,
                name=owner[:200],
                uscc=complete_uscc(f"91110000{n:08d}"),
                type=EnterpriseType.BASIC_TELECOM_OPERATOR,
                subjects=links,
            ),
        )
        first_enterprise = first_enterprise or eid
    supervision_repo.upsert_enterprise(
        session,
        Enterprise(
            id=DEMO_STORE, name="示例应用商店", uscc=complete_uscc("9111000099999999"), type=EnterpriseType.APP_STORE
        ),
    )
    plan = [
        ("admin", Role.REGULATOR_ADMIN, None),
        ("inspector", Role.REGULATOR_INSPECTOR, None),
        ("store", Role.APP_STORE, DEMO_STORE),
    ]
    if first_enterprise is not None:
        plan.append(("enterprise", Role.ENTERPRISE, first_enterprise))
    for username, role, scope in plan:
        password = secrets.token_urlsafe(12)
        accounts.create_user(session, username, password, role, scope_id=scope)
        logins.append(DemoLogin(username, password, role.value, scope))
    return logins
