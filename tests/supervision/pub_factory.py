"""Builders for the publication tests: a register of fictional firms and issues on their apps."""

from __future__ import annotations

import datetime as dt

from sv_factory import T0, issue, uscc

from ganzhi.catalog.schema import EnterpriseType
from ganzhi.evidence.base import Subject
from ganzhi.findings.models import Issue, IssueState
from ganzhi.supervision.models import Enterprise, SubjectLink, SubjectRole
from ganzhi.supervision.publications import (
    Publication,
    PublicationKind,
    build_body,
    new_draft,
    select_issues,
)

HOSTILE = '<script>alert("x")</script>&视频'


def register() -> list[Enterprise]:
    """Two developers (one with a hostile app name) and two stores."""
    video = Enterprise(
        id="dev-video",
        name="示例视频科技有限公司",
        uscc=uscc(1),
        type=EnterpriseType.INTERNET_COMPANY,
        subjects=[SubjectLink(subject_type="app", subject_id="com.example.video", name=HOSTILE)],
    )
    shop = Enterprise(
        id="dev-shop",
        name="示例电商网络有限公司",
        uscc=uscc(2),
        type=EnterpriseType.INTERNET_COMPANY,
        subjects=[SubjectLink(subject_type="app", subject_id="com.example.shop", name="示例商城")],
    )
    stores = [
        Enterprise(
            id=f"store-{k}",
            name=name,
            uscc=uscc(10 + n),
            type=EnterpriseType.APP_STORE,
            subjects=[
                SubjectLink(subject_type="app", subject_id=app, role=SubjectRole.DISTRIBUTES)
                for app in ("com.example.video", "com.example.shop")[: 2 - n]
            ],
        )
        for n, (k, name) in enumerate([("huawei", "华为应用市场"), ("xiaomi", "小米应用商店")])
    ]
    return [video, shop, *stores]


def app_issue(fp: str, app: str, task: str, state: IssueState = IssueState.OPEN, check: str | None = None) -> Issue:
    """An issue of `task` on `app` version 1.0 (no subject name: the register names the app)."""
    base = issue(fp, app, state, task=task, requirements=(f"{task}.x",))
    update: dict[str, object] = {"subject": Subject(type="app", id=app, version="1.0")}
    if check:
        update["check_id"] = check
    return base.model_copy(update=update)


def issues() -> list[Issue]:
    """Video: T3 and T11 (two checks, one label); shop: T4; plus a fixed one that must not be published."""
    return [
        app_issue("fp-v-t3", "com.example.video", "T3"),
        app_issue("fp-v-t11a", "com.example.video", "T11", check="t11_pi_before_consent"),
        app_issue("fp-v-t11b", "com.example.video", "T11", check="t11_sdk_risky"),
        app_issue("fp-s-t4", "com.example.shop", "T4"),
        app_issue("fp-s-fixed", "com.example.shop", "T6", IssueState.FIXED),
    ]


def notice_draft(pid: str = "pub-1", creator: str = "张三", at: dt.datetime = T0) -> Publication:
    """A 通报 draft of the active issues."""
    body = build_body(
        PublicationKind.NOTICE,
        issues=select_issues(issues()),
        enterprises=register(),
        rectify_by=dt.date(2022, 2, 25),
    )
    return new_draft(pid, body, created_by=creator, at=at)
