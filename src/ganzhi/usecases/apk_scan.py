"""Batch APK scanning: analyze one APK, run the APK checks through the engine, write JSON and SARIF.

`scan_one` is the picklable unit of work handed to an executor (serial, process pool or Dask); it
never raises for a bad APK — the record says what went wrong and the batch goes on. `scan_apks` runs
a batch as one resumable inspection (`usecases.inspection.inspect_items`): the ledger tracks APK files,
each app's evidence and results are stored with its ledger row, and its findings open or update
tracked issues like every other inspection.
The per-app JSON has the keys the issue fixes (`app`, `permissions`, `components`, `sdks`,
`api_calls`, `self_start`, `associated_start`, `pre_consent`, `packers`, `results`). Next to it,
`<name>.evidence.json` holds the `apk_static` evidence itself (kind, subject, data), which
`policy analyze --apk-report` and `app audit` read unchanged.
"""

from __future__ import annotations

import hashlib
import json
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy.orm import Session, sessionmaker

from ganzhi.collect.apk.analyze import analyze_apk
from ganzhi.collect.apk.reader import apk_evidence
from ganzhi.engine.executors import Executor
from ganzhi.engine.registry import default_registry
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.apk import ApkStatic
from ganzhi.evidence.base import Evidence
from ganzhi.findings.models import Result
from ganzhi.outputs.sarif import sarif_json
from ganzhi.usecases.inspection import Inspection, generation_key, inspect_items

#: Checks that read `apk_static` (the T11 APK checks and the static T3 permission check).
APK_EVIDENCE_KIND = "apk_static"
#: Ledger job kind of `scan apk` batches.
JOB_KIND = "scan-apk"
#: APKs committed (evidence, results, ledger rows) per transaction: analysing one APK costs far more than a
#: commit, so a killed scan loses at most this many analyses (configurable default).
SCAN_FLUSH_EVERY = 1


def apk_check_ids() -> list[str]:
    """Every shipped check that needs `apk_static` evidence."""
    return [s.id for s in default_registry().all() if APK_EVIDENCE_KIND in s.metadata.evidence_kinds]


def discover_apks(paths: Iterable[Path]) -> tuple[list[Path], list[str]]:
    """APK files named directly or found (recursively, `*.apk`) under directories; plus unusable paths."""
    found: list[Path] = []
    problems: list[str] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.rglob("*") if p.is_file() and p.suffix.lower() == ".apk"))
        elif path.is_file():
            found.append(path)
        else:
            problems.append(f"{path}: no such file or directory")
    return list(dict.fromkeys(p.resolve() for p in found)), problems


def output_names(paths: Sequence[Path]) -> dict[Path, str]:
    """A file stem per APK, unique within the batch (`name`, then `name-<hash of path>`)."""
    counts = Counter(p.stem for p in paths)
    return {
        p: p.stem if counts[p.stem] == 1 else f"{p.stem}-{hashlib.sha1(str(p).encode()).hexdigest()[:8]}" for p in paths
    }


def batch_key(paths: Sequence[Path]) -> str:
    """Same files (path, size, mtime) → same ledger job, so `--resume` finds it."""
    body = "\n".join(f"{p}\t{p.stat().st_size}\t{p.stat().st_mtime_ns}" for p in paths)
    return "scan-apk:" + hashlib.sha256(body.encode("utf-8")).hexdigest()[:32]


@dataclass(frozen=True)
class ScanJob:
    """One APK to scan and where to put its files (None: return the report instead).

    `run_id` stamps the results with the inspection run they belong to (None: a run of their own).
    """

    path: str
    out_dir: str | None = None
    name: str | None = None
    lang: str = "zh"
    run_id: str | None = None


@dataclass
class ScanRecord:
    """What scanning one APK gave: a summary, the files written, or the error."""

    path: str
    ok: bool
    package: str | None = None
    version_name: str | None = None
    sha256: str | None = None
    counts: dict[str, int] = field(default_factory=dict)
    seconds: float = 0.0
    error: str | None = None
    files: list[str] = field(default_factory=list)
    report: dict[str, Any] | None = None
    sarif: str | None = None
    evidence: list[Evidence] = field(default_factory=list)
    results: list[Result] = field(default_factory=list)

    @property
    def item_key(self) -> str:
        """The ledger item of this APK: its path."""
        return self.path


def app_report(static: ApkStatic, results: Sequence[Result], path: str) -> dict[str, Any]:
    """The per-app JSON document."""
    info = {p.name: p for p in static.permission_info}

    def component(kind: str) -> list[dict[str, Any]]:
        return [
            {
                "name": c.name,
                "exported": c.exported,
                "actions": [a for f in c.intent_filters for a in f.actions],
                **({"authorities": c.authorities} if c.authorities else {}),
            }
            for c in static.components_of(kind)  # type: ignore[arg-type]
        ]

    return {
        "app": {
            "package": static.package,
            "version_name": static.version_name,
            "version_code": static.version_code,
            "min_sdk": static.min_sdk,
            "target_sdk": static.target_sdk,
            "application_class": static.application_class,
            "sha256": static.sha256,
            "size": static.size,
            "file": path,
        },
        "permissions": [
            {
                "name": p.name,
                "sensitive": info[p.name].sensitive if p.name in info else False,
                "protection_level": info[p.name].protection_level if p.name in info else None,
                "pi_category": info[p.name].pi_category if p.name in info else None,
            }
            for p in static.permissions
        ],
        "components": {kind + "s": component(kind) for kind in ("activity", "service", "receiver", "provider")},
        "sdks": [s.model_dump(mode="json") for s in static.sdks],
        "api_calls": [
            {
                "api": c.api,
                "caller_class": "L" + c.caller_class.replace(".", "/") + ";",
                "caller_method": c.caller_method,
                "owner": c.owner,
                "sdk_id": c.sdk_id,
                "pi_category": c.pi_category,
                "count": c.count,
            }
            for c in static.api_calls
        ],
        "self_start": [s.model_dump(mode="json") for s in static.self_start],
        "associated_start": [a.model_dump(mode="json") for a in static.associated_start],
        "pre_consent": [p.model_dump(mode="json") for p in static.pre_consent],
        "packers": [p.model_dump(mode="json") for p in static.packers],
        "signers": [s.model_dump(mode="json") for s in static.signers],
        "native_libs": static.native_libs,
        "anomalies": static.anomalies,
        "irregularities": static.irregularities,
        "problems": static.problems,
        "results": [
            {
                "check_id": r.check_id,
                "requirement_ids": r.requirement_ids,
                "status": r.status.value,
                "severity": r.severity.value,
                "message": r.message.model_dump(mode="json"),
                "data": r.data,
                "fingerprint": r.fingerprint,
            }
            for r in results
        ],
    }


def scan_one(job: ScanJob) -> ScanRecord:
    """Analyze one APK, run the APK checks, write `<name>.json` and `<name>.sarif` when `out_dir` is set."""
    started = time.perf_counter()
    record = ScanRecord(path=job.path, ok=False)
    try:
        facts = analyze_apk(job.path)
        static = facts.static
        evidence = apk_evidence(facts)
        outcome = evaluate([evidence], check_ids=apk_check_ids(), run_id=job.run_id)
        registry = default_registry()
        metas = {r.check_id: registry.get(r.check_id).metadata for r in outcome.results}
        report = app_report(static, outcome.results, job.path)
        sarif = sarif_json(
            outcome.results,
            metas,
            run_id=outcome.run_id,
            lang="en" if job.lang == "en" else "zh",
            artifact_uris={evidence.subject.key: job.path},
        )
        record.package, record.version_name, record.sha256 = static.package, static.version_name, static.sha256
        record.counts = dict(Counter(r.status.value for r in outcome.results))
        record.evidence, record.results = [evidence], outcome.results
        record.ok = True
        if job.out_dir is not None:
            out = Path(job.out_dir)
            out.mkdir(parents=True, exist_ok=True)
            base = job.name or Path(job.path).stem
            json_path, sarif_path = out / f"{base}.json", out / f"{base}.sarif"
            evidence_path = out / f"{base}.evidence.json"
            json_path.write_text(json.dumps(report, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
            sarif_path.write_text(sarif, encoding="utf-8")
            evidence_path.write_text(evidence.model_dump_json(indent=2) + "\n", encoding="utf-8")
            record.files = [str(json_path), str(sarif_path), str(evidence_path)]
        else:
            record.report, record.sarif = report, sarif
    except Exception as exc:  # a bad APK must never stop the batch: the record carries the reason
        record.error = f"{type(exc).__name__}: {exc}"
        if job.out_dir is not None:
            out = Path(job.out_dir)
            out.mkdir(parents=True, exist_ok=True)
            err_path = out / f"{job.name or Path(job.path).stem}.error.json"
            err_path.write_text(
                json.dumps({"file": job.path, "error": record.error}, ensure_ascii=False, indent=2) + "\n",
                encoding="utf-8",
            )
            record.files = [str(err_path)]
    record.seconds = round(time.perf_counter() - started, 4)
    return record


def scan_apks(
    apks: Sequence[Path],
    sessions: sessionmaker[Session],
    *,
    out_dir: Path | None = None,
    lang: str = "zh",
    resume: bool = False,
    executor: Executor | None = None,
    on_start: Callable[[int, int], None] | None = None,
    on_record: Callable[[ScanRecord], None] | None = None,
) -> tuple[list[ScanRecord], Inspection]:
    """Scan `apks` as one inspection; with `resume`, continue the latest interrupted scan of the same files.

    Without `resume` the same files start a new run (a new ledger generation), which a later `resume`
    continues. Returns this call's records (without evidence and results, which are stored) and the
    inspection (the run's results and how tracked issues moved).
    """
    names = output_names(apks)
    by_key = {str(p): p for p in apks}
    records: list[ScanRecord] = []

    def work_for(key: str, run_id: str) -> ScanJob:
        return ScanJob(key, str(out_dir) if out_dir else None, names[by_key[key]], lang, run_id)

    def keep(record: ScanRecord) -> None:
        slim = replace(record, evidence=[], results=[])
        records.append(slim)
        if on_record is not None:
            on_record(slim)

    inspection = inspect_items(
        list(by_key),
        work_for,
        scan_one,
        sessions,
        job_kind=JOB_KIND,
        job_key=generation_key(sessions, batch_key(apks), fresh=not resume),
        selection={"check_ids": apk_check_ids()},
        executor=executor,
        note="scan apk",
        flush_every=SCAN_FLUSH_EVERY,
        on_start=on_start,
        on_item=keep,
    )
    return records, inspection
