"""The demo's T4 UI bundle leaves a judged screen, so a new user of `ganzhi serve --demo` sees the picture."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from ganzhi.demo.tasks import UI_DEMO_APP, load_task_demos
from ganzhi.engine.registry import default_registry
from ganzhi.store.blobs import BlobStore
from ganzhi.store.db import session_scope
from ganzhi.store.ui_picture_repo import pictures_of


def test_t4_demo_keeps_its_judged_screen(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    others = [t.id for t in default_registry().catalog.tasks if t.id != "T4"]
    said: list[str] = []
    [t4] = load_task_demos(sessions, skip=others, blobs=blobs, say=said.append)
    assert t4.error is None and t4.pictures == 1, said
    with session_scope(sessions) as session:
        [picture] = pictures_of(session, "app", UI_DEMO_APP.id)
    assert picture.run_id == t4.run_id and picture.subject == UI_DEMO_APP
    assert picture.verdict == "FAIL" and picture.facts["close"]["min_side_dp"] == 20
    assert blobs.exists(picture.sha256)


def test_without_a_blob_store_the_demo_keeps_no_picture(sessions: sessionmaker[Session]) -> None:
    others = [t.id for t in default_registry().catalog.tasks if t.id != "T4"]
    [t4] = load_task_demos(sessions, skip=others)
    assert t4.error is None and t4.pictures == 0
    with session_scope(sessions) as session:
        assert pictures_of(session, "app", UI_DEMO_APP.id) == []
