"""Turn hall files into evidence: registry + layout (one `hall_registry` subject), the published list,
and per-operator porting-service facts and mystery-shopper records (JSON lists of payloads).

Every file read is counted (`FileCounts`: rows kept, rows rejected, warnings), and each is read inside one
boundary (`collect.bounded.guard`), so a library failure becomes an `InputError` naming the file."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from pydantic import BaseModel, ValidationError

from ganzhi.collect.bounded import guard
from ganzhi.collect.halls.importers import HallImport, import_halls, import_public_list
from ganzhi.collect.halls.layout import measure_layout
from ganzhi.collect.halls.tables import FileCounts
from ganzhi.errors import InputError, RowProblem
from ganzhi.evidence.base import Evidence, Subject
from ganzhi.evidence.halls import (
    OPERATOR_NAMES,
    OPERATOR_SUBJECT_TYPE,
    REGISTRY_SUBJECT_TYPE,
    UNKNOWN_OPERATOR,
    Hall,
    HallPublicList,
    HallRegistry,
    MysteryShop,
    PortingServices,
    same_hall_name,
)
from ganzhi.rules.regions.divisions import Divisions

MAX_JSON_BYTES = 50 << 20


@dataclass(slots=True)
class HallEvidence:
    """Evidence built from the files, the registry import and every rejected row."""

    evidence: list[Evidence] = field(default_factory=list)
    registry: HallImport | None = None
    errors: list[RowProblem] = field(default_factory=list)
    files: list[FileCounts] = field(default_factory=list)


def _operator_payloads(path: Path, model: type[BaseModel]) -> tuple[list[BaseModel], list[RowProblem]]:
    with guard(str(path), what="cannot read the records"):  # the boundary: no library error escapes
        if path.stat().st_size > MAX_JSON_BYTES:
            raise InputError(str(path), f"larger than {MAX_JSON_BYTES} bytes")
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise InputError(str(path), f"not valid UTF-8 JSON: {exc}") from None
        except RecursionError:
            raise InputError(str(path), "not valid JSON: nested too deeply") from None
        items = data if isinstance(data, list) else [data]
        found: list[BaseModel] = []
        errors: list[RowProblem] = []
        for number, item in enumerate(items, start=1):
            try:
                found.append(model.model_validate(item))
            except ValidationError as exc:
                first = exc.errors()[0]
                field_name = ".".join(map(str, first["loc"])) or None
                errors.append(RowProblem(str(path), number, field_name, str(first["msg"])))
    return found, errors


def resolve_operators(public: HallPublicList, halls: Sequence[Hall]) -> HallPublicList:
    """Give a published entry of unknown operator the operator of the registry hall it names, when the
    name matches halls of exactly one operator; other entries are left as they are."""
    if not any(entry.operator == UNKNOWN_OPERATOR for entry in public.entries):
        return public
    entries = []
    for entry in public.entries:
        resolved = entry
        if entry.operator == UNKNOWN_OPERATOR:
            operators = {
                h.operator for h in halls if (entry.id and h.id == entry.id) or same_hall_name(h.name, entry.name)
            }
            if len(operators) == 1:
                resolved = entry.model_copy(update={"operator": operators.pop()})
        entries.append(resolved)
    return public.model_copy(update={"entries": entries})


def operator_subject(code: str) -> Subject:
    """The subject of an operator's porting facts."""
    return Subject(
        type=OPERATOR_SUBJECT_TYPE, id=code, name=OPERATOR_NAMES.get(code), enterprise=OPERATOR_NAMES.get(code)
    )


def collect_halls(
    divisions: Divisions,
    registry: Path,
    *,
    published: Path | None = None,
    services: Sequence[Path] = (),
    mystery: Sequence[Path] = (),
    when: dt.datetime | None = None,
) -> HallEvidence:
    """All hall evidence for one inspection; InputError only when a whole file is unusable."""
    out = HallEvidence()
    moment = when or dt.datetime.now(dt.UTC)
    imported = import_halls(registry, divisions)
    out.registry = imported
    out.errors.extend(imported.errors)
    out.files.append(FileCounts.of(str(registry), imported.accepted, imported.rejected, imported.errors))
    subject = Subject(type=REGISTRY_SUBJECT_TYPE, id=registry.name, name=str(registry))
    payload = HallRegistry(
        halls=imported.halls, placed_at_centroid=imported.placed_at_centroid, rejected_rows=len(imported.errors)
    )
    out.evidence.append(Evidence.of(payload, subject, source=str(registry), collected_at=moment))
    out.evidence.append(
        Evidence.of(
            measure_layout(imported.halls, divisions),
            subject,
            source=f"{registry} + {divisions.source}",
            collected_at=moment,
        )
    )
    if published is not None:
        public, errors = import_public_list(published)
        public = resolve_operators(public, imported.halls)
        out.errors.extend(errors)
        out.files.append(FileCounts.of(str(published), len(public.entries), public.rejected_rows, errors))
        out.evidence.append(Evidence.of(public, subject, source=str(published), collected_at=moment))
    jobs: list[tuple[Path, type[BaseModel]]] = [(p, PortingServices) for p in services]
    jobs += [(p, MysteryShop) for p in mystery]
    for path, model in jobs:
        payloads, errors = _operator_payloads(path, model)
        out.errors.extend(errors)
        out.files.append(FileCounts.of(str(path), len(payloads), len(errors), errors))
        for item in payloads:
            operator = getattr(item, "operator", "")
            out.evidence.append(Evidence.of(item, operator_subject(operator), source=str(path), collected_at=moment))
    return out
