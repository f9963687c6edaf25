"""`usecases.apk_scan.scan_apks`: a batch of APKs is one resumable inspection that tracks issues.

A scan killed midway resumes through the inspection journal: APKs committed before the crash are not
analysed again, the run continues under the same id, and every finding opens one issue with one audited
transition, however often the scan is resumed.
"""

from __future__ import annotations

import dataclasses
import json
from collections import Counter
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker
from tests.collect.apk.apk_forge_cases import demo_spec

from ganzhi.findings.models import IssueState
from ganzhi.forge.apk.builder import write_apk
from ganzhi.store import repositories as repo
from ganzhi.store.db import session_scope
from ganzhi.usecases import apk_scan
from ganzhi.usecases.apk_scan import ScanJob, ScanRecord, discover_apks, scan_apks

PACKAGES = [f"com.forge.app{i}" for i in range(5)]
REAL_SCAN_ONE = apk_scan.scan_one


def _catalogue(root: Path) -> list[Path]:
    """Five forged apps with distinct packages (distinct subjects) and one file that is not an APK."""
    root.mkdir()
    spec = demo_spec()
    assert spec.manifest is not None
    for package in PACKAGES:
        manifest = dataclasses.replace(spec.manifest, package=package)
        write_apk(dataclasses.replace(spec, manifest=manifest), root / f"{package}.apk")
    (root / "zz-broken.apk").write_bytes(b"PK\x03\x04 not really a zip")
    apks, problems = discover_apks([root])
    assert not problems and len(apks) == 6
    return apks


class _Scanner:
    """Counts real scans per APK; `crash_at` simulates a kill when that many APKs have been scanned."""

    def __init__(self, crash_at: int | None = None) -> None:
        self.calls: Counter[str] = Counter()
        self.crash_at = crash_at

    def __call__(self, job: ScanJob) -> ScanRecord:
        if self.crash_at is not None and sum(self.calls.values()) == self.crash_at:
            self.crash_at = None
            raise KeyboardInterrupt("simulated kill of the scan")
        self.calls[Path(job.path).stem] += 1
        return REAL_SCAN_ONE(job)


def _issue_counts(sessions: sessionmaker[Session], run_id: str) -> tuple[int, int, set[str], list[int]]:
    """(issues, failing fingerprints of the run, subjects of the run, transitions per issue)."""
    with session_scope(sessions) as session:
        stored = repo.results_for_run(session, run_id)
        failing = {r.fingerprint for r in stored if r.status.value == "FAIL" and r.creates_issues}
        issues = repo.get_issues(session)
        transitions = [len(repo.transitions_for(session, i.fingerprint)) for i in issues]
        return len(issues), len(failing), {r.subject.id for r in stored}, transitions


def test_a_killed_scan_resumes_each_apk_scanned_once_and_issues_recorded_once(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apks = _catalogue(tmp_path / "apks")
    out = tmp_path / "out"
    scanner = _Scanner(crash_at=2)
    monkeypatch.setattr(apk_scan, "scan_one", scanner)
    with pytest.raises(KeyboardInterrupt):
        scan_apks(apks, sessions, out_dir=out)
    assert sum(scanner.calls.values()) == 2
    with session_scope(sessions) as session:
        assert repo.get_issues(session) == []  # issues move once the run concludes

    started: list[tuple[int, int]] = []
    records, resumed = scan_apks(apks, sessions, out_dir=out, resume=True, on_start=lambda *n: started.append(n))
    assert started == [(4, 2)] and resumed.resumed_skipped == 2
    assert scanner.calls == Counter({**dict.fromkeys(PACKAGES, 1), "zz-broken": 1})  # nothing analysed twice
    assert sorted(Path(r.path).stem for r in records) == [*PACKAGES[2:], "zz-broken"]
    assert [r.ok for r in records if not r.ok] == [False] and [e.subject_key for e in resumed.errors] == [str(apks[-1])]
    assert all(r.evidence == [] and r.results == [] for r in records)  # stored, not kept in memory
    for package in PACKAGES:  # files of the APKs done before the kill are still there
        report = json.loads((out / f"{package}.json").read_text(encoding="utf-8"))
        assert report["app"]["package"] == package
    issues, failing, subjects, transitions = _issue_counts(sessions, resumed.run_id)
    assert subjects == set(PACKAGES)  # results of both attempts belong to the one run
    assert failing > 0 and issues == failing == len(resumed.diff.new)
    assert transitions == [1] * issues
    with session_scope(sessions) as session:
        assert [r.id for r in repo.list_runs(session)] == [resumed.run_id]
        assert all(i.state is IssueState.OPEN for i in repo.get_issues(session))

    _, again = scan_apks(apks, sessions, out_dir=out, resume=True)
    assert again.run_id == resumed.run_id and again.resumed_skipped == 5  # only the broken file is retried
    assert scanner.calls == Counter({**dict.fromkeys(PACKAGES, 1), "zz-broken": 2})
    assert again.diff.new == [] and _issue_counts(sessions, again.run_id)[::3] == (issues, [1] * issues)


def test_without_resume_the_same_files_start_a_new_run_that_keeps_the_issues(
    sessions: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    apks = _catalogue(tmp_path / "apks")[:2]
    scanner = _Scanner()
    monkeypatch.setattr(apk_scan, "scan_one", scanner)
    records, first = scan_apks(apks, sessions)
    assert all(r.ok and r.report is not None and r.sarif for r in records)
    _, second = scan_apks(apks, sessions)
    assert second.run_id != first.run_id and second.resumed_skipped == 0
    assert scanner.calls == Counter(dict.fromkeys(PACKAGES[:2], 2))
    assert second.diff.new == [] and len(second.diff.persisting) == len(first.diff.new) > 0
    _, resumed = scan_apks(apks, sessions, resume=True)
    assert resumed.run_id == second.run_id and resumed.resumed_skipped == 2
    assert sum(scanner.calls.values()) == 4


def test_report_lists_build_irregularities_apart_from_tampering(tmp_path: Path) -> None:
    from ganzhi.collect.apk.analyze import analyze_apk
    from ganzhi.usecases.apk_scan import app_report

    apk = write_apk(demo_spec(), tmp_path / "demo.apk")
    static = analyze_apk(apk).static.model_copy(
        update={"irregularities": ["permission android.permission.INTERNET is requested more than once"]}
    )
    report = app_report(static, [], str(apk))
    assert report["irregularities"] == static.irregularities
    assert report["anomalies"] == static.anomalies
