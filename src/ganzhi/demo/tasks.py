"""Demo data for every task of the catalogue, so the dashboard heatmap of `ganzhi serve --demo` is full.

Each task's data comes from its domain's own builders, never from data written here:
- T1: the tariff catalogue builder (`demo.tariff.write_xlsx`) through the real importer;
- T4: a forged UI capture bundle (`ui.scenarios.cold_start`: a small, low-contrast, late close button)
  through the real bundle analysis; with a blob store, its judged screen is kept as a picture
  (`usecases.ui_pictures`), so the app page of 示例商城 shows the close control and the verdict drawn on it;
- every other task without demo data yet: the evidence of its checks' own `cases/*.fail.json` (the
  domain's fixtures, one per check, subjects not reused across cases, no parameter overrides).
Everything then goes through `engine.inspection.inspect`, like a real inspection. A domain whose demo
cannot be built is reported (`TaskDemo.error`) and the others still load.
"""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from pydantic import ValidationError
from sqlalchemy.orm import Session, sessionmaker

from ganzhi.demo.tariff import write_xlsx
from ganzhi.engine.executors import SerialExecutor
from ganzhi.engine.registry import Registry, default_registry
from ganzhi.errors import GanzhiError
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.ui import UiEpisode
from ganzhi.store.blobs import BlobStore
from ganzhi.usecases.inspection import inspect
from ganzhi.usecases.ui_pictures import keep_pictures

#: The owner the demo gives the forged UI bundle's app (a fictional enterprise of the walk-through).
UI_DEMO_APP = Subject(type="app", id="com.example.shop", version="3.2.0", name="示例商城")
#: Bound on the case files read per task (they are small; this only caps a runaway folder).
MAX_CASES_PER_TASK = 200
MAX_CASE_BYTES = 1 << 20


@dataclass(frozen=True, slots=True)
class TaskDemo:
    """What one task's demo loaded: where the data came from, the run and the issues it opened."""

    task: str
    source: str
    run_id: str | None
    subjects: int
    issues: int
    error: str | None = None
    pictures: int = 0


def tariff_evidence(folder: Path) -> tuple[list[Evidence], list[str] | None]:
    """T1: the demo tariff workbook imported by the real importer (judged by every T1 check that can)."""
    from ganzhi.collect.tariff.importer import import_catalogue

    workbook = write_xlsx(folder / "demo-tariffs.xlsx")
    imported = import_catalogue([workbook], operator="china_telecom", region="上海")
    if not imported.catalogue.plans:
        raise ValueError(f"{workbook}: the tariff importer read no plan ({[str(p) for p in imported.problems]})")
    return [imported.evidence()], None


def ui_evidence(folder: Path) -> tuple[list[Evidence], list[str] | None]:
    """T4: a forged cold-start bundle analyzed by the real detector (judged by every T4 check that can)."""
    from ganzhi.collect.ui.analyze import bundle_evidence
    from ganzhi.collect.ui.detect import Detector
    from ganzhi.collect.ui.paths import DEFAULT_TEMPLATE_DIR
    from ganzhi.forge.ui.scenarios import cold_start

    bundle = cold_start(folder / "ui-bundle", close_dp=20, contrast=1.5, close_delay_ms=3000)
    detector = Detector.default(DEFAULT_TEMPLATE_DIR if DEFAULT_TEMPLATE_DIR.is_dir() else None)
    found = bundle_evidence(bundle, detector)
    episode = found.payload(UiEpisode)
    owned = Evidence.of(episode, UI_DEMO_APP, source=found.source, collected_at=found.collected_at)
    return [owned], None


def case_evidence(registry: Registry, task: str) -> tuple[list[Evidence], list[str] | None]:
    """The evidence of the task's checks' `.fail` cases (one case per check, subjects not reused)."""
    evidence: list[Evidence] = []
    check_ids: list[str] = []
    used: set[str] = set()
    for spec in sorted(registry.all(), key=lambda s: s.id):
        if spec.metadata.task != task:
            continue
        for path in sorted(spec.cases_dir.glob("*.fail.json"))[:MAX_CASES_PER_TASK]:
            items = case_items(path)
            keys = {item.subject.key for item in items}
            if not keys or keys & used:
                continue
            evidence.extend(items)
            check_ids.append(spec.id)
            used |= keys
            break
    return evidence, check_ids


def case_items(path: Path) -> list[Evidence]:
    """A case's evidence, or nothing when it needs parameter overrides or cannot be read."""
    if path.stat().st_size > MAX_CASE_BYTES:
        return []
    try:
        case = json.loads(path.read_text(encoding="utf-8"))
        if case.get("overrides"):
            return []
        return [Evidence.model_validate(item) for item in case.get("evidence", [])]
    except (OSError, ValueError, ValidationError, AttributeError):
        return []


#: A task's demo evidence and, when only some checks should judge it, their ids (None: every check of the task).
Builder = Callable[[Path], tuple[list[Evidence], list[str] | None]]
BUILDERS: dict[str, tuple[str, Builder]] = {
    "T1": ("demo.tariff (T1 tariff catalogue)", tariff_evidence),
    "T4": ("ui.scenarios.cold_start (T4 UI bundle)", ui_evidence),
}


def load_task_demos(
    sessions: sessionmaker[Session],
    *,
    skip: Iterable[str] = (),
    registry: Registry | None = None,
    say: Callable[[str], None] = lambda _text: None,
    blobs: BlobStore | None = None,
) -> list[TaskDemo]:
    """Inspect demo evidence for every catalog task not in `skip` (the tasks other demos already cover).

    With `blobs`, the judged screens of UI evidence (bundles built under the task's folder) are kept as pictures.
    """
    registry = registry or default_registry()
    skipped = set(skip)
    tasks = [t.id for t in registry.catalog.tasks if t.id not in skipped]
    done: list[TaskDemo] = []
    with tempfile.TemporaryDirectory(prefix="ganzhi-demo-tasks-") as tmp:
        for task in tasks:
            source, build = BUILDERS.get(task, (f"checks/{task.lower()}/*/cases/*.fail.json", None))
            say(f"{task}: {source} …")
            try:
                folder = Path(tmp) / task
                folder.mkdir()
                evidence, check_ids = build(folder) if build else case_evidence(registry, task)
                if not evidence:
                    done.append(TaskDemo(task, source, None, 0, 0, error="no demo evidence for this task"))
                    continue
                ran = inspect(
                    evidence,
                    sessions,
                    tasks=[task],
                    check_ids=check_ids,
                    executor=SerialExecutor(),
                    note=f"演示数据 demo data {task} ({dt.date.today().isoformat()})",
                )
            except (GanzhiError, OSError, ValueError) as exc:  # one domain's demo must not stop the others
                done.append(TaskDemo(task, source, None, 0, 0, error=f"{type(exc).__name__}: {exc}"[:500]))
                continue
            pictures = 0
            bundles = _bundles(folder, evidence)
            if blobs is not None and bundles:
                try:  # the inspection is stored; a picture that cannot be kept only goes unseen
                    kept = keep_pictures(sessions, blobs, ran.run_id, evidence, ran.results, bundles)
                except (GanzhiError, OSError, ValueError) as exc:
                    say(f"{task}: judged screens not kept — {type(exc).__name__}: {exc}"[:500])
                else:
                    pictures = len(kept.stored)
                    for why in kept.skipped:
                        say(f"{task}: no picture — {why}")
            done.append(TaskDemo(task, source, ran.run_id, ran.subjects, len(ran.issues), pictures=pictures))
    return done


def _bundles(folder: Path, evidence: Iterable[Evidence]) -> dict[str, Path]:
    """Bundle name → folder, for the UI evidence whose bundle a builder wrote under `folder`."""
    found = {}
    for item in evidence:
        name = item.data.get("bundle") if item.kind == "ui_episode" else None
        if isinstance(name, str) and (folder / name).is_dir():
            found[name] = folder / name
    return found
