"""Judge a labelled corpus through the real collectors and engine, and score FAIL precision and recall per check."""

from __future__ import annotations

import importlib
import pkgutil
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Protocol

from ganzhi.engine.runner import evaluate
from ganzhi.errors import GanzhiError
from ganzhi.evidence.base import Evidence
from ganzhi.evidence.status import Status
from ganzhi.findings.models import Result
from ganzhi.usecases.accuracy import domains
from ganzhi.usecases.accuracy.corpus import Case, LabelledVerdict, LoadedCase

#: When one check gives several results for one subject, the verdict shown to a regulator is the gravest.
_GRAVITY = (Status.FAIL, Status.ERROR, Status.WARN, Status.MANUAL, Status.PASS, Status.NOT_APPLICABLE)


class Loader(Protocol):
    def __call__(self, folder: Path, case: Case) -> list[Evidence]: ...


@lru_cache(maxsize=1)
def loaders() -> dict[str, Loader]:
    """Domain name → loader, from every module of `accuracy.domains`."""
    found: dict[str, Loader] = {}
    for info in pkgutil.iter_modules(domains.__path__):
        module = importlib.import_module(f"{domains.__name__}.{info.name}")
        found[module.DOMAIN] = module.load
    return found


@dataclass(frozen=True, slots=True)
class Judged:
    """One labelled verdict next to what ganzhi answered (None: the check did not run at all)."""

    case: str
    group: str
    check: str
    subject: str | None
    expected: Status
    got: Status | None
    why: str
    message: str = ""

    @property
    def correct(self) -> bool:
        return self.got is self.expected


def verdict_of(results: Iterable[Result]) -> tuple[Status | None, str]:
    """The gravest status among one check's results for one subject, with its message."""
    ranked = sorted(results, key=lambda r: _GRAVITY.index(r.status))
    if not ranked:
        return None, ""
    return ranked[0].status, ranked[0].message.zh


def _matches(result: Result, verdict: LabelledVerdict) -> bool:
    if result.check_id != verdict.check:
        return False
    return verdict.subject is None or verdict.subject in (result.subject.key, result.subject.id)


def judge(case: LoadedCase) -> list[Judged]:
    """Run the case's loader and the engine; one Judged per labelled verdict (a load failure is ERROR for all)."""
    load = loaders().get(case.case.domain)
    results: list[Result] = []
    problem = ""
    if load is None:
        problem = f"no loader for domain {case.case.domain!r} (known: {', '.join(sorted(loaders()))})"
    else:
        try:
            results = evaluate(load(case.folder, case.case)).results
        except GanzhiError as exc:
            problem = f"{case.name}: {exc}"
    judged = []
    for verdict in case.case.verdicts:
        got: Status | None
        if problem:
            got, message = Status.ERROR, problem
        else:
            got, message = verdict_of(r for r in results if _matches(r, verdict))
        judged.append(
            Judged(case.name, case.group, verdict.check, verdict.subject, verdict.expect, got, verdict.why, message)
        )
    return judged


@dataclass(slots=True)
class CheckScore:
    """FAIL precision/recall of one check, how often it answered MANUAL, and every wrong verdict."""

    check: str
    cases: int = 0
    expected_fail: int = 0
    answered_fail: int = 0
    true_fail: int = 0
    manual: int = 0
    correct: int = 0
    wrong: list[Judged] = field(default_factory=list)

    @property
    def precision(self) -> float | None:
        """Share of FAIL answers that were right (None when it never answered FAIL)."""
        return self.true_fail / self.answered_fail if self.answered_fail else None

    @property
    def recall(self) -> float | None:
        """Share of expected FAILs it answered FAIL (None when no FAIL was expected)."""
        return self.true_fail / self.expected_fail if self.expected_fail else None

    @property
    def manual_rate(self) -> float:
        return self.manual / self.cases if self.cases else 0.0

    def confusion(self) -> dict[str, int]:
        """`expected→got` counts of the wrong verdicts."""
        counts: dict[str, int] = defaultdict(int)
        for item in self.wrong:
            counts[f"{item.expected.value}→{item.got.value if item.got else 'not run'}"] += 1
        return dict(sorted(counts.items()))


def score(judged: Sequence[Judged]) -> dict[str, CheckScore]:
    """Per-check figures over every judged verdict, sorted by check id."""
    scores: dict[str, CheckScore] = {}
    for item in judged:
        s = scores.setdefault(item.check, CheckScore(item.check))
        s.cases += 1
        s.expected_fail += item.expected is Status.FAIL
        s.answered_fail += item.got is Status.FAIL
        s.true_fail += item.expected is Status.FAIL and item.got is Status.FAIL
        s.manual += item.got is Status.MANUAL
        if item.correct:
            s.correct += 1
        else:
            s.wrong.append(item)
    return dict(sorted(scores.items()))


def judge_all(cases: Iterable[LoadedCase], on_case: Callable[[LoadedCase], None] | None = None) -> list[Judged]:
    """Judge every case in order; `on_case` is called after each (progress)."""
    judged: list[Judged] = []
    for case in cases:
        judged.extend(judge(case))
        if on_case is not None:
            on_case(case)
    return judged
