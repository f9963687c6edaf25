"""422 answers in the shape the OpenAPI promises (`HTTPValidationError`: a list of located errors).

FastAPI documents every 422 as `{"detail": [{"loc", "msg", "type"}]}`; a route that rejects an input
itself must answer in that shape too, or clients (and the schema fuzzing) see a contract violation.
"""

from __future__ import annotations

from fastapi.exceptions import RequestValidationError


def invalid(location: tuple[str, ...], message: str, value: object = None) -> RequestValidationError:
    """A 422 naming the input (`location`, e.g. ("path", "sha256")), what was expected and what came."""
    shown = value if value is None or isinstance(value, (str, int, float, bool)) else repr(value)[:200]
    return RequestValidationError([{"type": "value_error", "loc": location, "msg": message, "input": shown}])
