"""OpenAPI fuzzing (schemathesis, in-process ASGI): no 5xx and no response outside its schema, for every role.

Every operation of `/api/v1/openapi.json` gets a few generated requests as the public, an enterprise,
an app store and a regulator; the examples per operation are bounded so the whole file stays < 60 s.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from web_fixtures import World, build_world, token_for

schemathesis = pytest.importorskip("schemathesis", reason="schemathesis is a dev dependency (pip install schemathesis)")
from schemathesis.checks import not_a_server_error  # noqa: E402
from schemathesis.specs.openapi.checks import content_type_conformance, response_schema_conformance  # noqa: E402

EXAMPLES_PER_OPERATION = 6
ROLES = ("public", "alice", "shop1", "admin")
#: Operations that must answer 2xx at least once per role (the fuzzing really gets past the auth layer).
MIN_SUCCESSFUL = {"public": 4, "alice": 8, "shop1": 8, "admin": 9}
CHECKS = [not_a_server_error, response_schema_conformance, content_type_conformance]


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    built = build_world(tmp_path_factory.mktemp("fuzz"), config_changes={"login_attempts": 10_000})
    yield built
    built.client.app.state.submissions.wait_idle()  # type: ignore[attr-defined]
    built.client.close()


def _operations(world: World) -> list[object]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        schema = schemathesis.openapi.from_asgi("/api/v1/openapi.json", world.client.app)
    return [result.ok() for result in schema.get_all_operations()]


@pytest.mark.parametrize("role", ROLES)
def test_no_server_error_or_schema_violation(world: World, role: str) -> None:
    headers = {} if role == "public" else token_for(world, role)
    operations = _operations(world)
    assert len(operations) >= 25, "the fuzz test must see the whole API"
    strategy = st.sampled_from(operations).flatmap(lambda op: op.as_strategy())  # type: ignore[attr-defined]

    @settings(
        max_examples=EXAMPLES_PER_OPERATION * len(operations),
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(case=strategy)
    def fuzz(case: object) -> None:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)
            response = case.call_and_validate(headers=headers, checks=CHECKS)  # type: ignore[attr-defined]
        answered.setdefault(f"{case.method} {case.path}", set()).add(response.status_code)  # type: ignore[attr-defined]

    answered: dict[str, set[int]] = {}
    fuzz()
    reached = {operation for operation, codes in answered.items() if any(200 <= code < 300 for code in codes)}
    assert len(answered) >= len(operations) * 3 // 4, f"fuzzing reached only {sorted(answered)}"
    assert len(reached) >= MIN_SUCCESSFUL[role], f"{role}: 2xx only from {sorted(reached)}"


def test_fuzz_target_really_serves_the_schema(world: World, tmp_path: Path) -> None:
    """A guard for the fuzz test itself: it reaches the app (a known path answers, an unknown one is 404)."""
    assert world.client.get("/api/v1/openapi.json").json()["info"]["version"] == "1"
    assert world.client.get("/api/v1/no-such-operation").status_code == 404
