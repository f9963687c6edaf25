"""FAIL precision and recall of every check on the labelled realistic corpus (tests/realistic), with MANUAL rates.

Each case folder holds realistic documents written the way operators, platforms and app developers publish them and a
`case.yaml` with the expected verdicts (check × subject × status, one-line reason). The documents go through the same
collectors a user's command runs and the shipped engine; nothing is tuned per case. Printed per check: labelled
verdicts, expected FAILs, FAIL precision, FAIL recall, MANUAL rate, exact-status accuracy, and the confusion of every
wrong verdict. Target (issue 15): precision ≥ 0.95 and recall ≥ 0.90 for every check with ≥ 10 labelled verdicts.
Run: `python -m benchmarks.verdict_accuracy [--corpus tests/realistic] [--wrong] [--write-baseline]`.
`--write-baseline` stores the figures in tests/realistic/baseline.json, the floor the regression test holds.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
CORPUS = REPO / "tests" / "realistic"
BASELINE = CORPUS / "baseline.json"
MIN_CASES = 10
TARGET_PRECISION = 0.95
TARGET_RECALL = 0.90


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.2f}"


def figures_of(scores: dict[str, Any]) -> dict[str, dict[str, Any]]:
    """JSON-ready figures per check."""
    return {
        check: {
            "cases": s.cases,
            "expected_fail": s.expected_fail,
            "precision": None if s.precision is None else round(s.precision, 4),
            "recall": None if s.recall is None else round(s.recall, 4),
            "manual_rate": round(s.manual_rate, 4),
            "accuracy": round(s.correct / s.cases, 4),
            "confusion": s.confusion(),
        }
        for check, s in scores.items()
    }


def main() -> None:
    from rich.console import Console
    from rich.table import Table

    from benchmarks._result import write_result
    from ganzhi.usecases.accuracy.corpus import discover
    from ganzhi.usecases.accuracy.score import judge_all, score

    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--wrong", action="store_true", help="list every wrong verdict with its reason")
    parser.add_argument("--write-baseline", action="store_true")
    args = parser.parse_args()
    cases = list(discover(args.corpus))
    judged = judge_all(cases)
    scores = score(judged)
    table = Table(title=f"verdict accuracy: {len(cases)} cases, {len(judged)} labelled verdicts")
    for column in ("check", "n", "exp. FAIL", "precision", "recall", "MANUAL", "accuracy", "wrong (expected→got)"):
        table.add_column(column)
    below = []
    for check, s in scores.items():
        meets = s.cases < MIN_CASES or (
            (s.precision if s.precision is not None else 1.0) >= TARGET_PRECISION
            and (s.recall if s.recall is not None else 1.0) >= TARGET_RECALL
        )
        if not meets:
            below.append(check)
        table.add_row(
            check, str(s.cases), str(s.expected_fail), _fmt(s.precision), _fmt(s.recall), f"{s.manual_rate:.2f}",
            f"{s.correct / s.cases:.2f}", ", ".join(f"{k} ×{v}" for k, v in s.confusion().items()),
            style="red" if not meets else None,
        )
    console = Console(width=160)
    console.print(table)
    if args.wrong:
        for item in (w for s in scores.values() for w in s.wrong):
            got = item.got.value if item.got else "not run"
            console.print(f"{item.case} {item.check} {item.subject or ''}: expected {item.expected.value}, got {got} "
                          f"— {item.why} | {item.message}", markup=False)
    figures = {"cases": len(cases), "verdicts": len(judged), "checks": figures_of(scores), "below_target": below}
    console.print(f"checks with ≥ {MIN_CASES} verdicts below target: {', '.join(below) or 'none'}")
    if args.write_baseline:
        BASELINE.write_text(json.dumps(figures, indent=1, ensure_ascii=False, sort_keys=True) + "\n", encoding="utf-8")
        console.print(f"baseline written: {BASELINE}")
    console.print(f"written: {write_result('verdict_accuracy', figures)}")


if __name__ == "__main__":
    main()
