from __future__ import annotations

import math

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sv_factory import enterprise, result

from ganzhi.catalog.loader import default_catalog
from ganzhi.catalog.schema import EnterpriseType
from ganzhi.evidence.status import Severity
from ganzhi.supervision.ownership import Ownership
from ganzhi.supervision.ranking import bottom, rank_app_stores, rank_by_type, trends
from ganzhi.supervision.scoring import FULL_MARKS, Finding, LineKind, Weights, score_enterprise, score_task

WEIGHTS = Weights.from_catalog(default_catalog())
T4_REQS = sorted(WEIGHTS.requirements["T4"])


def finding(fp: str, severity: Severity, requirements: tuple[str, ...] = ("T4.close-control",)) -> Finding:
    return Finding.of_result(result(fp, "com.a", requirements=requirements, severity=severity))


def test_one_high_finding_costs_half_its_requirement() -> None:
    # T4.close-control weighs 10 of T4's 60 → 16.67 points; high = 5 of critical's 10 → half of that.
    score = score_task(WEIGHTS, "ent", "T4", [finding("a", Severity.HIGH)])
    assert score.lines[0].points == pytest.approx(-100 * 10 / 60 / 2, abs=1e-3)
    assert score.score == pytest.approx(100 - 100 * 10 / 60 / 2, abs=1e-3)
    assert score.findings == 1


def test_a_requirement_cannot_lose_more_than_its_points() -> None:
    many = [finding(f"f{k}", Severity.CRITICAL) for k in range(3)]
    score = score_task(WEIGHTS, "ent", "T4", many)
    assert [line.kind for line in score.lines].count(LineKind.CAP) == 1
    assert score.score == pytest.approx(100 - 100 * 10 / 60, abs=1e-3)


def test_duplicates_and_other_tasks_do_not_count() -> None:
    one = finding("a", Severity.HIGH)
    other = Finding.of_result(result("b", "com.a", task="T3", requirements=("T3.summary.exists",)))
    assert score_task(WEIGHTS, "ent", "T4", [one, one, other]).findings == 1


def test_enterprise_score_is_the_task_weighted_mean() -> None:
    total = score_enterprise(WEIGHTS, "ent", ["T4", "T3"], [finding("a", Severity.CRITICAL)])
    assert total.score == pytest.approx((100 - 100 * 10 / 60 + 100) / 2, abs=1e-3)


@given(
    st.lists(
        st.tuples(
            st.sampled_from(list(Severity)),
            st.lists(st.sampled_from([*T4_REQS, "T4.unknown-req"]), max_size=3).map(tuple),
        ),
        max_size=40,
    )
)
def test_breakdown_sums_to_the_score(items: list[tuple[Severity, tuple[str, ...]]]) -> None:
    findings = [finding(f"fp{k}", sev, reqs) for k, (sev, reqs) in enumerate(items)]
    score = score_task(WEIGHTS, "ent", "T4", findings)
    assert math.isclose(FULL_MARKS + sum(line.points for line in score.lines), score.score, abs_tol=1e-6)
    assert 0 <= score.score <= FULL_MARKS
    assert score.findings == len(findings)


def test_rankings_per_type_with_shared_ranks() -> None:
    ents = {
        e.id: e
        for e in [
            enterprise("a", 1, EnterpriseType.INTERNET_COMPANY, "com.a"),
            enterprise("b", 2, EnterpriseType.INTERNET_COMPANY, "com.b"),
            enterprise("c", 3, EnterpriseType.INTERNET_COMPANY, "com.c"),
            enterprise("s", 4, EnterpriseType.APP_STORE),
        ]
    }
    scores = [
        score_enterprise(WEIGHTS, "a", ["T4"], [finding("x", Severity.HIGH)]),
        score_enterprise(WEIGHTS, "b", ["T4"], []),
        score_enterprise(WEIGHTS, "c", ["T4"], [finding("y", Severity.HIGH)]),
        score_enterprise(WEIGHTS, "s", ["T11"], []),
    ]
    ranked = rank_by_type(scores, ents)
    internet = ranked[EnterpriseType.INTERNET_COMPANY]
    assert [(e.enterprise_id, e.rank) for e in internet] == [("b", 1), ("a", 2), ("c", 2)]
    assert [e.enterprise_id for e in bottom(internet, 1)] == ["a", "c"]  # the tie at the boundary is included
    assert ranked[EnterpriseType.APP_STORE][0].rank == 1


def test_app_store_ranking_by_share_of_problem_apps() -> None:
    ents = [
        enterprise("store-a", 1, EnterpriseType.APP_STORE, stores=("com.a", "com.b", "com.c", "com.d")),
        enterprise("store-b", 2, EnterpriseType.APP_STORE, stores=("com.a", "com.e")),
        enterprise("store-c", 3, EnterpriseType.APP_STORE),
    ]
    ranked = rank_app_stores({e.id: e for e in ents}, Ownership.build(ents), ["app:com.a@1.0", "app:com.c@2.0"])
    assert [(s.enterprise_id, s.apps, s.apps_with_problems, s.problem_rate) for s in ranked] == [
        ("store-a", 4, 2, 0.5),
        ("store-b", 2, 1, 0.5),
        ("store-c", 0, 0, 0.0),
    ]
    assert ranked[0].rank == ranked[1].rank == 1
    assert ranked[0].share_of_all_problems == 1.0
    assert ranked[1].share_of_all_problems == 0.5


def test_trends_give_round_on_round_deltas() -> None:
    series = trends([("c:1", {"a": 80.0, "b": 90.0}), ("c:2", {"a": 95.0})])
    assert [(p.round_key, p.delta) for p in series["a"]] == [("c:1", None), ("c:2", 15.0)]
    assert len(series["b"]) == 1
