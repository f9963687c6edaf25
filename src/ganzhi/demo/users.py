"""Demo accounts for `ganzhi serve --demo`: one per role, on the fictional demo enterprises and store.

The T9 携号转网 demo names operators that are not in the enterprise register; each gets an enterprise
row linked to the subjects the demo inspected, so their issues have an owner on the dashboard. The
enterprise login acts for 示例视频 (`demo-video`, which has T6/T7 issues), the store login for
示例应用市场甲 (`demo-store-a`), so each scoped page shows real data and nothing of anyone else.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from ganzhi.accounts import users as accounts
from ganzhi.accounts.roles import Role
from ganzhi.catalog.schema import EnterpriseType
from ganzhi.store import supervision_repo
from ganzhi.store.tables import IssueRow
from ganzhi.store.web_tables import UserRow
from ganzhi.supervision.models import Enterprise, SubjectLink
from ganzhi.supervision.ownership import Ownership
from ganzhi.supervision.uscc import complete_uscc

DEMO_ENTERPRISE = "demo-video"
DEMO_STORE = "demo-store-a"


@dataclass(frozen=True, slots=True)
class DemoLogin:
    username: str
    password: str
    role: str
    scope_id: str | None


def _operators(session: Session, known: set[str]) -> dict[str, list[str]]:
    """Subject keys of issues that no registered enterprise operates, grouped by the enterprise evidence names."""
    ownership = Ownership.build(supervision_repo.list_enterprises(session))
    grouped: dict[str, list[str]] = {}
    for payload in session.scalars(select(IssueRow.payload)):
        subject = payload.get("subject", {})
        owner = str(subject.get("enterprise") or "demo-operator")
        key = f"{subject.get('type')}:{subject.get('id')}"
        if owner not in known and ownership.operator_of_key(key, named=owner) is None:
            grouped.setdefault(owner, []).append(key)
    return grouped


#: Provinces given, in turn, to the operators the demo evidence names (so the per-province views are filled).
DEMO_OPERATOR_PROVINCES = ("广东", "北京", "上海", "江苏")


def _ensure(session: Session, enterprise: Enterprise) -> str:
    if supervision_repo.get_enterprise(session, enterprise.id) is None:
        supervision_repo.upsert_enterprise(session, enterprise)
    return enterprise.id


def install_demo_users(session: Session, *, must_change: bool = True) -> list[DemoLogin]:
    """Create the missing demo enterprises and one user per role, plus a provincial regulator (广东).

    Skipped when the users already exist. The printed passwords are for the first sign-in only:
    `must_change` (the default) makes each account choose its own password then.
    """
    if session.scalar(select(UserRow.id).where(UserRow.username == "admin")) is not None:
        return []
    known = {e.id for e in supervision_repo.list_enterprises(session)}
    for n, (owner, keys) in enumerate(sorted(_operators(session, known).items()), start=1):
        links = [SubjectLink(subject_type=k.split(":", 1)[0], subject_id=k.split(":", 1)[1]) for k in sorted(set(keys))]
        _ensure(
            session,
            Enterprise(
                id=f"demo-operator-{n}",
                name=owner[:200],
                uscc=complete_uscc(f"91110000{n:08d}"),
                type=EnterpriseType.BASIC_TELECOM_OPERATOR,
                province=DEMO_OPERATOR_PROVINCES[(n - 1) % len(DEMO_OPERATOR_PROVINCES)],
                subjects=links,
            ),
        )
    enterprise = _ensure(
        session,
        Enterprise(
            id=DEMO_ENTERPRISE,
            name="示例视频科技有限公司",
            uscc=complete_uscc("9111010800000001"),
            type=EnterpriseType.INTERNET_COMPANY,
            province="北京",
            subjects=[SubjectLink(subject_type="app", subject_id="com.example.video", name="示例视频")],
        ),
    )
    store = _ensure(
        session,
        Enterprise(
            id=DEMO_STORE,
            name="示例应用市场甲有限公司",
            uscc=complete_uscc("9144030000000002"),
            type=EnterpriseType.APP_STORE,
            province="广东",
        ),
    )
    plan: list[tuple[str, Role, str | None, str, tuple[str, ...]]] = [
        ("admin", Role.REGULATOR_ADMIN, None, "管理员", ()),
        ("inspector", Role.REGULATOR_INSPECTOR, None, "检查员", ()),
        ("guangdong", Role.REGULATOR_INSPECTOR, None, "广东省通信管理局", ("广东",)),
        ("enterprise", Role.ENTERPRISE, enterprise, "示例视频", ()),
        ("store", Role.APP_STORE, store, "示例应用市场甲", ()),
    ]
    logins: list[DemoLogin] = []
    for username, role, scope, display, provinces in plan:
        password = secrets.token_urlsafe(12)
        accounts.create_user(
            session,
            username,
            password,
            role,
            scope_id=scope,
            display_name=display,
            provinces=provinces,
            must_change_password=must_change,
        )
        logins.append(DemoLogin(username, password, role.value, scope))
    return logins
