"""Judged UI screens in the store (SQLite and PostgreSQL): kept once per run and window, listed newest run
first, bounded per app and in size, and the PNG kept in the blob store."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.ui import UiEpisode
from ganzhi.store.blobs import BlobStore
from ganzhi.store.db import session_scope
from ganzhi.store.ui_picture_repo import get_picture, pictures_of, results_for_subject, save_pictures
from ganzhi.usecases.ui_pictures import PictureLimits, inspect_ui, keep_pictures

SHOP = Subject(type="app", id="com.example.shop", version="3.2.0", name="示例商城")


def _evidence(folder: Path) -> tuple[Evidence, dict[str, Path]]:
    """A forged splash capture with a 20 dp, 1.5:1 close button, analysed by the real detector, owned by SHOP."""
    from ganzhi.collect.ui.analyze import bundle_evidence
    from ganzhi.collect.ui.detect import Detector
    from ganzhi.collect.ui.paths import DEFAULT_TEMPLATE_DIR
    from ganzhi.forge.ui.scenarios import cold_start

    bundle = cold_start(folder / "shop-bundle", close_dp=20, contrast=1.5)
    found = bundle_evidence(bundle, Detector.default(DEFAULT_TEMPLATE_DIR if DEFAULT_TEMPLATE_DIR.is_dir() else None))
    episode = found.payload(UiEpisode)
    owned = Evidence.of(episode, SHOP, source=found.source, collected_at=dt.datetime.now(dt.UTC))
    return owned, {episode.bundle: bundle}


def test_pictures_are_kept_once_per_run_and_listed_newest_run_first(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    evidence, bundles = _evidence(tmp_path)
    first, kept_first = inspect_ui([evidence], bundles, sessions, blobs, note="first")
    second, kept_second = inspect_ui([evidence], bundles, sessions, blobs, note="second")
    assert len(kept_first.stored) == len(kept_second.stored) == 1
    again = keep_pictures(sessions, blobs, first.run_id, [evidence], first.results, bundles)
    with session_scope(sessions) as session:
        assert save_pictures(session, again.stored) == 0  # same run, evidence and window: stored once
        listed = pictures_of(session, "app", SHOP.id)
        assert [p.run_id for p in listed] == [second.run_id, first.run_id]
        assert pictures_of(session, "app", "com.example.other") == []
        one = get_picture(session, listed[0].id)
        results = results_for_subject(session, second.run_id, SHOP.key, ["T4"])
    assert one is not None and one.subject == SHOP and one.verdict == "FAIL"
    assert one.window == "splash:com.example.app.SplashActivity" and one.bundle == "shop-bundle"
    assert {r.data.get("aspect") for r in results} >= {"size", "contrast"} and all(r.task == "T4" for r in results)
    with blobs.open(one.sha256) as handle:
        assert handle.read(8) == b"\x89PNG\r\n\x1a\n"
    assert blobs.verify(one.sha256) and one.size == blobs.path(one.sha256).stat().st_size


def test_limits_bound_the_pictures_kept(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    blobs = BlobStore(tmp_path / "blobs")
    evidence, bundles = _evidence(tmp_path)
    done, kept = inspect_ui([evidence], bundles, sessions, blobs, limits=PictureLimits(per_app=0))
    assert kept.stored == [] and "over the limit of 0 pictures per app" in kept.skipped[0]
    small = keep_pictures(sessions, blobs, done.run_id, [evidence], done.results, bundles, limits=PictureLimits(1, 100))
    assert small.stored == [] and "larger than the blob size limit of 100 bytes" in small.skipped[0]
    absent = keep_pictures(sessions, blobs, done.run_id, [evidence], done.results, {})
    assert absent.stored == [] and "bundle folder not given" in absent.skipped[0]
    unjudged = keep_pictures(sessions, blobs, done.run_id, [evidence], [], bundles)
    assert unjudged.stored == [] and unjudged.skipped == []  # no T4 result: not a judged screen
    with session_scope(sessions) as session:
        assert pictures_of(session, "app", SHOP.id) == []


def test_picture_limits_read_from_the_environment() -> None:
    assert PictureLimits.from_environ({}) == PictureLimits()
    read = PictureLimits.from_environ({"GANZHI_UI_PICTURES_PER_APP": "2", "GANZHI_UI_PICTURE_MAX_BYTES": "1000"})
    assert read == PictureLimits(per_app=2, max_png_bytes=1000)
    with pytest.raises(ValueError, match="GANZHI_UI_PICTURES_PER_APP: expected a whole number"):
        PictureLimits.from_environ({"GANZHI_UI_PICTURES_PER_APP": "many"})
    with pytest.raises(ValueError, match="must be >= 0"):
        PictureLimits(per_app=-1)
