"""What a regulator sees on the pages of issue 19: a dashboard whose heatmap has data, a queue whose
filters change the rows and whose export holds exactly those rows, Chinese labels instead of enum
names, Chinese error pages (JSON kept for the API), locally served API docs, forced password change,
provincial accounts, 12300 complaints by province and 典型案例 that reach the public only once approved."""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest
from openpyxl import load_workbook
from web_fixtures import PASSWORD, World, build_world

from ganzhi.accounts import users as accounts
from ganzhi.accounts.roles import Role
from ganzhi.store import supervision_repo
from ganzhi.store.db import session_scope
from ganzhi.store.repositories import get_issues
from ganzhi.web.security import SESSION_COOKIE

ENUM_LEFTOVERS = re.compile(r">\s*(OPEN|RECTIFYING|FALSE_POSITIVE|finished|regulator_admin|regulator_inspector)\s*<")


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    w = build_world(tmp_path)
    with session_scope(w.sessions) as session:
        for eid, province in (("ent-a", "北京"), ("ent-b", "广东")):
            found = supervision_repo.get_enterprise(session, eid)
            assert found is not None
            supervision_repo.upsert_enterprise(session, found.model_copy(update={"province": province}))
        accounts.create_user(session, "gd", PASSWORD, Role.REGULATOR_INSPECTOR, provinces=["广东"])
    yield w
    w.client.close()


def sign_in(world: World, username: str, password: str = PASSWORD) -> str:
    world.client.cookies.clear()
    response = world.client.post("/login", data={"username": username, "password": password}, follow_redirects=False)
    assert response.status_code == 303 and SESSION_COOKIE in world.client.cookies, response.text
    page: str = world.client.get("/account").text
    return page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]


def _rows(html: str) -> list[str]:
    return re.findall(r'<tr id="issue-([0-9a-f]+)" class="issue-row">', html)


def test_dashboard_heatmap_data_is_json_with_cells_and_labels_are_chinese(world: World) -> None:
    sign_in(world, "admin")
    page = world.client.get("/dashboard").text
    raw = page.split('<script id="heatmap-data" type="application/json">', 1)[1].split("</script>", 1)[0]
    data = json.loads(raw)  # was HTML-escaped (&#34;), so ECharts never got data
    assert data["data"] and data["tasks"] == ["T11"]
    assert {"Enterprise ent-a", "Enterprise ent-b"} <= set(data["enterprises"])
    assert set(data["enterprise_ids"]) >= {"ent-a", "ent-b"}
    assert "监管管理员" in page and not ENUM_LEFTOVERS.search(page)
    assert "{'subjects'" not in page and "已完成" in page  # run stats as words, state as a label
    assert 'id="card-overdue"' in page and 'id="card-soon"' in page and 'id="provinces"' in page


def test_queue_filters_change_the_rows_and_exports_hold_exactly_them(world: World) -> None:
    sign_in(world, "admin")
    everything = _rows(world.client.get("/issues?per=500").text)
    only_a = _rows(world.client.get("/issues?enterprise=ent-a&per=500").text)
    only_b = _rows(world.client.get("/issues?province=广东&per=500").text)
    assert only_a and only_b and not set(only_a) & set(only_b)
    assert set(only_a) | set(only_b) == set(everything) and world.issue_a in only_a
    assert _rows(world.client.get("/issues?q=com.beta&per=500").text) == only_b
    first = _rows(world.client.get("/issues?per=1&page=1").text)
    second = _rows(world.client.get("/issues?per=1&page=2").text)
    assert len(first) == len(second) == 1 and first != second
    exported = world.client.get("/issues?enterprise=ent-a&export=csv")
    assert exported.status_code == 200 and exported.headers["content-type"].startswith("text/csv")
    table = list(csv.reader(io.StringIO(exported.content.decode("utf-8-sig"))))
    assert table[0][0] == "任务" and sorted(r[-1] for r in table[1:]) == sorted(only_a)
    book = load_workbook(io.BytesIO(world.client.get("/issues?province=广东&export=xlsx").content))
    cells = [row[-1] for row in book.active.iter_rows(min_row=2, values_only=True)]
    assert sorted(cells) == sorted(only_b)
    states = world.client.get(f"/issues/{world.issue_a}").text
    assert "待整改" in states and "T11" in states and world.client.get("/issues/nope").status_code == 404


def test_bad_queue_input_gets_a_chinese_page_and_the_api_keeps_json(world: World) -> None:
    sign_in(world, "admin")
    bad = world.client.get("/issues?task=T99")
    assert bad.status_code == 422 and "提交的内容有误" in bad.text and "T99" in bad.text
    assert bad.headers["content-type"].startswith("text/html")
    missing = world.client.get("/no-such-page")
    assert missing.status_code == 404 and "页面不存在" in missing.text and "<header>" in missing.text
    api = world.client.get("/api/v1/no-such-thing")
    assert api.status_code == 404 and api.json() == {"detail": "Not Found"}
    form = world.client.post("/interviews", data={"csrf_token": "x"})
    assert form.status_code in (403, 422) and form.headers["content-type"].startswith("text/html")


def test_api_docs_load_from_this_server_only(world: World) -> None:
    docs = world.client.get("/api/v1/docs")
    assert docs.status_code == 200 and "cdn" not in docs.text.lower()
    scripts = re.findall(r"src='([^']+)'", docs.text)
    assert scripts and all(s.startswith("/static/") for s in scripts)
    for src in scripts:
        assert world.client.get(src).status_code == 200, src
    assert "cdn.jsdelivr" not in docs.headers["content-security-policy"]
    assert world.client.get("/api/v1/redoc").status_code == 200


def test_reset_password_forces_a_change_at_the_next_sign_in(world: World) -> None:
    with session_scope(world.sessions) as session:
        accounts.set_password(session, "inspector", "temporary-pass-1", must_change=True)
    response = world.client.post(
        "/login", data={"username": "inspector", "password": "temporary-pass-1"}, follow_redirects=False
    )
    assert response.headers["location"] == "/account"
    assert world.client.get("/issues", follow_redirects=False).headers["location"] == "/account"
    page = world.client.get("/account").text
    assert "至少 10 位" in page and 'id="must-change"' in page
    csrf = page.split('name="csrf_token" value="', 1)[1].split('"', 1)[0]
    short = world.client.post(
        "/account/password", data={"csrf_token": csrf, "current": "temporary-pass-1", "new": "short", "again": "short"}
    )
    assert short.status_code == 422 and "too short" in short.text
    changed = world.client.post(
        "/account/password",
        data={"csrf_token": csrf, "current": "temporary-pass-1", "new": "my-own-secret-2", "again": "my-own-secret-2"},
        follow_redirects=False,
    )
    assert changed.status_code == 303 and changed.headers["location"] == "/dashboard"
    assert world.client.get("/issues").status_code == 200


def test_provincial_regulator_sees_only_its_province(world: World) -> None:
    sign_in(world, "gd")
    rows = _rows(world.client.get("/issues?per=500").text)
    assert world.issue_b in rows and world.issue_a not in rows
    assert _rows(world.client.get("/issues?enterprise=ent-a&per=500").text) == []
    enterprises = world.client.get("/enterprises").text
    assert "Enterprise ent-b" in enterprises and "Enterprise ent-a" not in enterprises
    assert world.client.get("/enterprises/ent-a").status_code == 404
    assert "广东" in world.client.get("/dashboard").text


def test_notice_draft_validates_the_task_and_quotes_the_issues_deadline(world: World) -> None:
    csrf = sign_in(world, "inspector")
    bad = world.client.post(
        "/publications/draft", data={"csrf_token": csrf, "publication_id": "pub-x", "task": "T99", "kind": "notice"}
    )
    assert bad.status_code == 422 and "T99" in bad.text
    made = world.client.post(
        "/publications/draft",
        data={"csrf_token": csrf, "publication_id": "pub-t11", "task": "T11", "kind": "notice"},
        follow_redirects=False,
    )
    assert made.status_code == 303, made.text
    with session_scope(world.sessions) as session:
        deadlines = {i.deadline for i in get_issues(session) if i.task == "T11" and i.deadline is not None}
    notice = world.client.get("/notices/pub-t11").text
    latest = max(deadlines)
    assert f"{latest.month}月{latest.day}日前" in notice


def test_complaints_import_with_12300_headers_is_counted_per_province(world: World) -> None:
    csrf = sign_in(world, "admin")
    text = (
        "省份,企业,投诉内容,日期\n"
        "广东,Enterprise ent-b,携号转网被拒绝，营业厅说有合约不能转,2022-01-05\n"
        "北京,Enterprise ent-a,APP开屏广告关不掉，点一下就跳转,2022-01-06\n"
        "广东,,,2022-01-07\n"
    )
    done = world.client.post(
        "/complaints/import", data={"csrf_token": csrf}, files={"file": ("12300.csv", text.encode("utf-8"))}
    )
    assert done.status_code == 200 and "已导入 2 条" in done.text and "错误行 1 条" in done.text
    assert 'id="complaint-counts"' in done.text and "广东" in done.text and "北京" in done.text
    refused = world.client.post("/complaints/import", data={"csrf_token": csrf}, files={"file": ("x.exe", b"MZ")})
    assert refused.status_code == 415 and "CSV" in refused.text
    sign_in(world, "gd")
    mine = world.client.get("/complaints").text
    assert "携号转网被拒绝" in mine and "开屏广告" not in mine


def test_good_practice_reaches_the_public_only_after_a_second_regulator_approves(world: World) -> None:
    csrf = sign_in(world, "inspector")
    form = {
        "csrf_token": csrf,
        "practice_id": "case-1",
        "enterprise_id": "ent-b",
        "task": "T11",
        "title": "首次启动前不收集个人信息",
        "practice": "隐私政策同意前不初始化任何第三方SDK",
        "evidence": "检测记录与源码审计报告",
    }
    assert world.client.post("/practices", data=form, follow_redirects=False).status_code == 303
    own = world.client.post("/practices/case-1/approve", data={"csrf_token": csrf})
    assert own.status_code == 409 and "second regulator" in own.text
    world.client.cookies.clear()
    assert "首次启动前不收集个人信息" not in world.client.get("/").text
    csrf = sign_in(world, "admin")
    approved = world.client.post("/practices/case-1/approve", data={"csrf_token": csrf}, follow_redirects=False)
    assert approved.status_code == 303
    world.client.cookies.clear()
    assert "首次启动前不收集个人信息" in world.client.get("/").text


def test_rectification_accepts_office_files_and_refuses_a_zip_bomb(world: World, tmp_path: Path) -> None:
    import zipfile

    csrf = sign_in(world, "alice")
    docx = io.BytesIO()
    with zipfile.ZipFile(docx, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    sent = world.client.post(
        f"/portal/rectification/{world.issue_a}",
        data={"csrf_token": csrf, "note": "整改说明"},
        files={"file": ("整改报告.docx", docx.getvalue())},
        follow_redirects=False,
    )
    assert sent.status_code == 303, sent.text
    bomb = io.BytesIO()
    with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("zeros.bin", b"\0" * (20 << 20))
    refused = world.client.post(
        f"/portal/rectification/{world.issue_a}",
        data={"csrf_token": csrf, "note": "x"},
        files={"file": ("evidence.zip", bomb.getvalue())},
    )
    assert refused.status_code == 415 and "unpacks to" in refused.text
    wrong = world.client.post(
        f"/portal/rectification/{world.issue_a}",
        data={"csrf_token": csrf, "note": "x"},
        files={"file": ("a.exe", b"MZ")},
    )
    assert wrong.status_code == 415 and "['" not in wrong.text and ".docx" in wrong.text
