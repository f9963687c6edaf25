"""The realistic corpus as a regression test: no check's figures fall below the committed baseline or the target."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from benchmarks.verdict_accuracy import BASELINE, MIN_CASES, TARGET_PRECISION, TARGET_RECALL, figures_of

from ganzhi.usecases.accuracy.corpus import discover
from ganzhi.usecases.accuracy.score import judge_all, score

CORPUS = Path(__file__).resolve().parent


@pytest.fixture(scope="module")
def figures() -> dict[str, dict[str, Any]]:
    cases = list(discover(CORPUS))
    assert cases, f"no case.yaml under {CORPUS}"
    return figures_of(score(judge_all(cases)))


def _below(value: float | None, floor: float) -> bool:
    return value is not None and value < floor


def test_every_loader_reads_its_cases(figures: dict[str, dict[str, Any]]) -> None:
    errors = {check: f["confusion"] for check, f in figures.items() if any("→ERROR" in k for k in f["confusion"])}
    assert not errors, f"cases that could not be loaded or judged: {errors}"


def test_no_check_falls_below_its_baseline(figures: dict[str, dict[str, Any]]) -> None:
    baseline = json.loads(BASELINE.read_text(encoding="utf-8"))["checks"]
    worse = []
    for check, before in baseline.items():
        now = figures.get(check)
        assert now is not None, f"{check}: labelled in the baseline but no longer judged"
        for key in ("precision", "recall"):
            if before[key] is not None and (now[key] is None or now[key] < before[key]):
                worse.append(f"{check} {key} {before[key]} → {now[key]}")
    assert not worse, "figures fell below tests/realistic/baseline.json: " + "; ".join(worse)


def test_checks_with_enough_cases_meet_the_target(figures: dict[str, dict[str, Any]]) -> None:
    below = [
        f"{check}: precision {f['precision']}, recall {f['recall']} over {f['cases']}"
        for check, f in figures.items()
        if f["cases"] >= MIN_CASES
        and (_below(f["precision"], TARGET_PRECISION) or _below(f["recall"], TARGET_RECALL))
    ]
    assert not below, below


def test_the_corpus_covers_every_text_task_with_enough_verdicts() -> None:
    cases = list(discover(CORPUS))
    checks = [v.check for case in cases for v in case.case.verdicts]
    assert len(checks) >= 200, f"{len(checks)} labelled verdicts; issue 15 asks for at least 200"
    tasks = {check.split("_", 1)[0].upper() for check in checks}
    assert {"T1", "T2", "T3", "T5", "T6", "T7", "T8", "T9", "T10"} <= tasks, sorted(tasks)
