"""UI evidence through the ledger, with the judged screens kept: the overlay picture of each judged ad window.

A capture bundle's `ui_episode` evidence holds measurements only; the screenshots stay in the bundle, which
the platform does not keep. So when UI evidence is inspected, the picture `ganzhi ui check --format html`
shows (the screenshot with the found close control boxed in the verdict's colour and the T4 verdict lines
below, drawn by `collect.ui.overlay`) is rendered from the bundle while it is still at hand, stored as a
PNG blob, and linked to the run, subject and ad window (`store.ui_picture_repo`). The app page then shows
the latest run's pictures beside that run's T4 results.

Bounded: at most `PictureLimits.per_app` pictures per app per run, each at most `max_png_bytes`.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from sqlalchemy.orm import Session, sessionmaker

from ganzhi.engine.executors import Executor
from ganzhi.evidence.base import Evidence, kind_of
from ganzhi.evidence.ui import AdWindow, UiEpisode
from ganzhi.findings.models import Result
from ganzhi.store.blobs import BlobStore, BlobTooLargeError
from ganzhi.store.db import session_scope
from ganzhi.store.ui_picture_repo import UiPicture, save_pictures
from ganzhi.usecases.inspection import Inspection, inspect

if TYPE_CHECKING:
    from ganzhi.collect.ui.bundle import Frame

#: Judged pictures kept per app per run (configurable default; `GANZHI_UI_PICTURES_PER_APP`).
PICTURES_PER_APP = 8
#: Largest picture kept, in bytes (configurable default; `GANZHI_UI_PICTURE_MAX_BYTES`). The overlay scales
#: screens to at most 1280 px a side, so a real picture is far below this.
MAX_PICTURE_BYTES = 4 << 20
#: Order in which a window's statuses decide its verdict (the overlay colours the box the same way).
VERDICT_ORDER = ("FAIL", "WARN", "MANUAL", "PASS")
#: The tasks whose results are drawn on a picture: the pop-up ad checks.
PICTURE_TASKS = ("T4",)


@dataclass(frozen=True, slots=True)
class PictureLimits:
    """How many judged pictures are kept and how large each may be (configurable defaults)."""

    per_app: int = PICTURES_PER_APP
    max_png_bytes: int = MAX_PICTURE_BYTES

    def __post_init__(self) -> None:
        if self.per_app < 0 or self.max_png_bytes < 0:
            raise ValueError(f"picture limits must be >= 0 (got {self.per_app}, {self.max_png_bytes})")

    @classmethod
    def from_environ(cls, environ: Mapping[str, str] | None = None) -> PictureLimits:
        """The defaults, overridden by `GANZHI_UI_PICTURES_PER_APP` / `GANZHI_UI_PICTURE_MAX_BYTES`."""
        env = os.environ if environ is None else environ
        values: dict[str, int] = {}
        for name, attribute in (
            ("GANZHI_UI_PICTURES_PER_APP", "per_app"),
            ("GANZHI_UI_PICTURE_MAX_BYTES", "max_png_bytes"),
        ):
            raw = env.get(name)
            if raw is None or not raw.strip():
                continue
            try:
                values[attribute] = int(raw)
            except ValueError:
                raise ValueError(f"{name}: expected a whole number, got {raw!r}") from None
        return cls(**values)


@dataclass(slots=True)
class KeptPictures:
    """What `keep_pictures` stored, and why some judged windows got no picture."""

    stored: list[UiPicture] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


def window_key(window: AdWindow) -> str:
    """How the T4 checks name an ad window in their results' data (`window`)."""
    return f"{window.kind}:{window.activity}"


def window_results(results: Sequence[Result], evidence: Evidence, window: AdWindow) -> list[Result]:
    """The picture tasks' results about this window of this evidence (same subject, bundle and window key)."""
    episode_bundle = evidence.data.get("bundle")
    key = window_key(window)
    return [
        r
        for r in results
        if r.task in PICTURE_TASKS
        and r.subject.key == evidence.subject.key
        and r.data.get("window") == key
        and r.data.get("bundle") == episode_bundle
    ]


def worst_status(statuses: Sequence[str]) -> str:
    """The verdict of a window: its worst status in `VERDICT_ORDER`, else its first status."""
    return next((s for s in VERDICT_ORDER if s in statuses), statuses[0] if statuses else "")


def verdict_lines(results: Sequence[Result], *, chinese: bool) -> list[tuple[str, str]]:
    """(status, text) per result, as `ui check --format html` draws them; English when no CJK font is installed."""

    def text(result: Result) -> str:
        return (result.message.zh if chinese else result.message.en) or result.message.zh

    return [(r.status.value, f"{r.data.get('aspect', r.check_id)}: {text(r)}") for r in results]


def _frames(bundle_dir: Path | None) -> list[Frame]:
    """The bundle's frames (read once per episode), empty when the folder is absent or unreadable."""
    from ganzhi.collect.ui.bundle import load_bundle
    from ganzhi.errors import InputError

    if bundle_dir is None:
        return []
    try:
        return list(load_bundle(bundle_dir).manifest.frames)
    except (InputError, ValueError):
        return []


def _facts(episode: UiEpisode, window: AdWindow, lines: Sequence[tuple[str, str]]) -> dict[str, object]:
    close = window.close
    return {
        "kind": window.kind,
        "screen": [episode.device.screen_width_px, episode.device.screen_height_px],
        "density_dpi": episode.device.density_dpi,
        "close": None
        if close is None
        else {
            "bounds": list(close.bounds),
            "label": close.label,
            "source": close.source,
            "min_side_dp": close.min_side_dp,
            "first_seen_ms": close.first_seen_ms,
        },
        "lines": [list(line) for line in lines],
    }


def keep_pictures(
    sessions: sessionmaker[Session],
    blobs: BlobStore,
    run_id: str,
    evidence: Sequence[Evidence],
    results: Sequence[Result],
    bundles: Mapping[str, Path],
    *,
    limits: PictureLimits | None = None,
) -> KeptPictures:
    """Render and store the picture of every judged ad window of `evidence` (bounded per app), linked to `run_id`.

    Args:
        bundles: bundle name (`UiEpisode.bundle`) → the bundle folder the screenshots are read from.
        results: the run's results; a window with no picture-task result is not judged and gets no picture.
        limits: default `PictureLimits.from_environ()` (the defaults unless the environment overrides them).

    Storing again for the same run is a no-op (one row per run, evidence and window).
    """
    from ganzhi.collect.ui.image import image_size
    from ganzhi.collect.ui.overlay import close_frame, has_cjk_font, window_picture

    limits = limits or PictureLimits.from_environ()
    chinese = has_cjk_font()
    kept = KeptPictures()
    per_app: dict[tuple[str, str], int] = {}
    now = dt.datetime.now(dt.UTC)
    for item in evidence:
        if item.kind != kind_of(UiEpisode):
            continue
        episode = item.payload(UiEpisode)
        folder = bundles.get(episode.bundle)
        frames = _frames(folder)
        for index, window in enumerate(episode.ad_windows):
            where = f"{item.subject.key} {episode.bundle} {window_key(window)}"
            mine = window_results(results, item, window)
            if not mine:
                continue
            app = (item.subject.type, item.subject.id)
            if per_app.get(app, 0) >= limits.per_app:
                kept.skipped.append(f"{where}: over the limit of {limits.per_app} pictures per app")
                continue
            if folder is None:
                kept.skipped.append(f"{where}: bundle folder not given")
                continue
            lines = verdict_lines(mine, chinese=chinese)
            frame = close_frame(frames, window)
            picture = window_picture(folder, episode, index, lines, frame_index=frame)
            if picture is None:
                kept.skipped.append(f"{where}: no screenshot of the window in the bundle")
                continue
            try:
                ref = blobs.put_bytes(
                    picture, f"{episode.bundle}-{index}.png", media_type="image/png", max_bytes=limits.max_png_bytes
                )
            except BlobTooLargeError as exc:
                kept.skipped.append(f"{where}: {exc}")
                continue
            width, height = image_size(picture)
            kept.stored.append(
                UiPicture(
                    run_id=run_id,
                    evidence_id=item.id,
                    subject=item.subject,
                    bundle=episode.bundle,
                    window_index=index,
                    window=window_key(window),
                    frame=frame,
                    sha256=ref.sha256,
                    size=ref.size,
                    width=width,
                    height=height,
                    verdict=worst_status([status for status, _ in lines]),
                    facts=_facts(episode, window, lines),
                    created_at=now,
                )
            )
            per_app[app] = per_app.get(app, 0) + 1
    with session_scope(sessions) as session:
        save_pictures(session, kept.stored)
    return kept


def inspect_ui(
    evidence: Sequence[Evidence],
    bundles: Mapping[str, Path],
    sessions: sessionmaker[Session],
    blobs: BlobStore,
    *,
    tasks: Sequence[str] = ("T3", "T4"),
    limits: PictureLimits | None = None,
    note: str | None = None,
    job_key: str | None = None,
    executor: Executor | None = None,
) -> tuple[Inspection, KeptPictures]:
    """Inspect UI evidence like any evidence (`usecases.inspection.inspect`), then keep its judged pictures."""
    done = inspect(evidence, sessions, tasks=tasks, note=note, job_key=job_key, executor=executor)
    return done, keep_pictures(sessions, blobs, done.run_id, evidence, done.results, bundles, limits=limits)
