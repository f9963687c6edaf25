"""通报 and 下架 lists from issues: MIIT's columns, one row per app × store × version × problem, golden files."""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

import pytest
from pub_factory import HOSTILE, issues, notice_draft, register
from sv_factory import T0

from ganzhi.findings.models import IssueState
from ganzhi.supervision.chain import seal
from ganzhi.supervision.publications import (
    PublicationKind,
    build_body,
    new_draft,
    notice_rows,
    problem_label,
    select_issues,
)
from ganzhi.supervision.render.columns import ListName
from ganzhi.supervision.render.tabular import to_csv

GOLDEN = Path(__file__).parent / "golden"


def _golden(name: str, text: str) -> None:
    path = GOLDEN / name
    if os.environ.get("GANZHI_UPDATE_GOLDEN"):
        path.write_text(text, encoding="utf-8")
    assert text == path.read_text(encoding="utf-8"), f"{name} differs; GANZHI_UPDATE_GOLDEN=1 rewrites it"


def test_select_issues_keeps_active_app_issues_of_the_tasks() -> None:
    chosen = select_issues(issues(), tasks=["T3", "T4", "T6"])
    assert {i.fingerprint for i in chosen} == {"fp-v-t3", "fp-s-t4"}


def test_notice_rows_one_per_app_store_version_problem() -> None:
    rows = notice_rows(select_issues(issues()), register())
    # video: 2 stores × (T3 label, T11 label) = 4 rows; shop: 1 store × T4 = 1 row
    assert len(rows) == 5
    assert [r.number for r in rows] == [1, 2, 3, 4, 5]
    video = [r for r in rows if r.developer == "示例视频科技有限公司"]
    assert {r.source for r in video} == {"华为应用市场", "小米应用商店"}
    t11 = [r for r in video if r.problem == "违规收集个人信息"]
    assert len(t11) == 2 and all(r.fingerprints == ["fp-v-t11a", "fp-v-t11b"] for r in t11)
    shop = [r for r in rows if r.app_name == "示例商城"]
    assert [(r.source, r.version, r.problem) for r in shop] == [("华为应用市场", "1.0", "开屏弹窗信息骚扰用户")]
    assert all(r.app_name == HOSTILE for r in video)


def test_problem_label_prefers_check_then_task_then_title() -> None:
    base = issues()[0]
    assert problem_label(base).zh == "隐私政策摘要及权限告知不规范"
    assert problem_label(base.model_copy(update={"check_id": "t3_apk_sensitive_permissions"})).zh.startswith("APP强制")
    assert problem_label(base.model_copy(update={"task": "T99"})).zh == base.title.zh


def test_unregistered_app_gets_marked_not_dropped() -> None:
    stray = issues()[0].model_copy(update={"subject": issues()[0].subject.model_copy(update={"id": "com.stray"})})
    (row,) = notice_rows([stray], register())
    assert (row.app_name, row.developer, row.source) == ("com.stray", "未登记", "未登记")


def test_notice_list_golden() -> None:
    sealed = seal(notice_draft(), [], approver="李四", at=T0)
    _golden("notice.csv", to_csv(sealed, ListName.notice))


def test_removal_lists_apps_still_active_golden() -> None:
    published = seal(notice_draft(), [], approver="李四", at=T0)
    current = {i.fingerprint: i for i in issues()}
    # shop rectified its T4 issue; video fixed T3 but not T11
    current["fp-s-t4"] = current["fp-s-t4"].model_copy(update={"state": IssueState.FIXED})
    current["fp-v-t3"] = current["fp-v-t3"].model_copy(update={"state": IssueState.FIXED})
    body = build_body(PublicationKind.REMOVAL, base=published, current=current)
    (row,) = body.removal
    assert (row.software_name, row.enterprise_name, row.version) == (HOSTILE, "示例视频科技有限公司", "1.0")
    assert row.fingerprints == ["fp-v-t11a", "fp-v-t11b"]
    assert "立即组织对名单中应用软件进行下架处理" in body.intro
    removal = seal(new_draft("pub-2", body, created_by="张三", at=T0), [published], approver="李四", at=T0)
    _golden("removal.csv", to_csv(removal, ListName.removal))


def test_removal_needs_a_published_base() -> None:
    with pytest.raises(ValueError, match="--based-on"):
        build_body(PublicationKind.REMOVAL)
    with pytest.raises(ValueError, match="draft"):
        build_body(PublicationKind.REMOVAL, base=notice_draft())


def test_empty_publication_is_refused() -> None:
    body = build_body(PublicationKind.NOTICE, issues=[], enterprises=register())
    with pytest.raises(ValueError, match="empty"):
        new_draft("pub-x", body, created_by="张三", at=T0)


def test_intro_names_the_deadline() -> None:
    body = notice_draft().content()
    assert body.rectify_by == dt.date(2022, 2, 25)
    assert "2月25日前完成整改" in body.intro and "逾期不整改的" in body.intro
