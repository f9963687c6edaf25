"""Discover checks under `ganzhi/checks/<task>/<check_id>/` and tie them to the catalog.

The registry fails loudly on a broken folder, a duplicate id, an unknown requirement id, a catalog check id with
no folder, or an automated requirement with no check — so a bad catalog never silently skips inspection.
"""

from __future__ import annotations

import importlib
import inspect
from collections.abc import Callable, Collection, Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import yaml
from pydantic import ValidationError

from ganzhi.catalog.loader import default_catalog
from ganzhi.catalog.params import Params
from ganzhi.catalog.schema import Automation, Catalog
from ganzhi.checks.metadata import CheckMetadata
from ganzhi.checks.outcome import Outcome
from ganzhi.errors import CheckDefinitionError
from ganzhi.evidence.base import EvidenceSet
from ganzhi.evidence.kinds import import_all_kinds, known_kinds

CHECKS_DIR = Path(__file__).resolve().parent.parent / "checks"

Evaluate = Callable[[EvidenceSet, Params], list[Outcome]]


@dataclass(frozen=True, slots=True)
class CheckSpec:
    """A discovered check: its metadata, its folder and its pure evaluate function."""

    metadata: CheckMetadata
    folder: Path
    evaluate: Evaluate

    @property
    def id(self) -> str:
        """The check id (equal to its folder name)."""
        return self.metadata.id

    @property
    def cases_dir(self) -> Path:
        """Folder of `*.pass.json` / `*.fail.json` evidence fixtures."""
        return self.folder / "cases"

    def can_judge(self, kinds: Collection[str]) -> bool:
        """True when one of the evidence kinds this check needs is among `kinds`.

        The one rule for "which checks can judge this evidence", used by the runner's planning and by
        `Registry.select(evidence_kinds=...)` alike: a check with only some of its kinds present still runs
        (and reports MANUAL naming the missing ones), one with none of them is not run at all.
        """
        return any(kind in kinds for kind in self.metadata.evidence_kinds)

    def covers(self, subject_type: str) -> bool:
        """True when this check judges subjects of `subject_type`."""
        return subject_type in self.metadata.subject_types


def _load_metadata(folder: Path) -> CheckMetadata:
    path = folder / "metadata.yaml"
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise CheckDefinitionError(f"{folder}: missing metadata.yaml") from None
    except yaml.YAMLError as exc:
        raise CheckDefinitionError(f"{path}: not valid YAML: {exc}") from None
    try:
        meta = CheckMetadata.model_validate(data)
    except ValidationError as exc:
        problems = "; ".join(f"{'.'.join(map(str, e['loc']))}: {e['msg']}" for e in exc.errors())
        raise CheckDefinitionError(f"{path}: {problems}") from None
    if meta.id != folder.name:
        raise CheckDefinitionError(f"{path}: id {meta.id!r} differs from its folder name {folder.name!r}")
    if folder.parent.name != meta.task.lower():
        raise CheckDefinitionError(f"{path}: task {meta.task} but the check sits under {folder.parent.name}/")
    return meta


def _load_evaluate(folder: Path, package: str) -> Evaluate:
    module_name = f"{package}.{folder.parent.name}.{folder.name}.check"
    try:
        module = importlib.import_module(module_name)
    except ImportError as exc:
        raise CheckDefinitionError(f"{folder}: cannot import check.py: {exc}") from None
    evaluate = getattr(module, "evaluate", None)
    if not callable(evaluate):
        raise CheckDefinitionError(f"{folder / 'check.py'}: defines no evaluate(evidence, params) function")
    if len(inspect.signature(evaluate).parameters) != 2:
        raise CheckDefinitionError(f"{folder / 'check.py'}: evaluate must take exactly (evidence, params)")
    return evaluate  # type: ignore[no-any-return]


def discover(root: Path = CHECKS_DIR, package: str = "ganzhi.checks") -> list[CheckSpec]:
    """Every check folder under `root` (a folder holding metadata.yaml), sorted by id."""
    specs: dict[str, CheckSpec] = {}
    for meta_path in sorted(root.glob("*/*/metadata.yaml")):
        folder = meta_path.parent
        meta = _load_metadata(folder)
        if meta.id in specs:
            raise CheckDefinitionError(f"{folder}: duplicate check id {meta.id!r} (also {specs[meta.id].folder})")
        specs[meta.id] = CheckSpec(metadata=meta, folder=folder, evaluate=_load_evaluate(folder, package))
    return [specs[key] for key in sorted(specs)]


class Registry:
    """The checks ganzhi runs, validated against the catalog."""

    def __init__(self, catalog: Catalog, specs: Iterable[CheckSpec]) -> None:
        self.catalog = catalog
        self._specs = {spec.id: spec for spec in specs}
        self._validate()

    def _validate(self) -> None:
        import_all_kinds()
        kinds = set(known_kinds())
        index = self.catalog.check_index()
        problems: list[str] = []
        for spec in self._specs.values():
            meta = spec.metadata
            for req_id in meta.requirements:
                try:
                    req = self.catalog.requirement(req_id)
                except KeyError:
                    problems.append(f"check {meta.id}: unknown requirement id {req_id!r}")
                    continue
                if meta.id not in req.checks:
                    problems.append(f"check {meta.id}: requirement {req_id} does not list it in `checks`")
                if not req_id.startswith(meta.task + "."):
                    problems.append(f"check {meta.id}: task {meta.task} but requirement {req_id}")
            for kind in [*meta.evidence_kinds, *meta.optional_evidence_kinds]:
                if kind not in kinds:
                    problems.append(f"check {meta.id}: unknown evidence kind {kind!r}")
        for check_id, req_ids in sorted(index.items()):
            if check_id not in self._specs:
                problems.append(f"requirements {req_ids} list check {check_id!r}, which does not exist")
        for req in self.catalog.requirements():
            if req.automation is not Automation.MANUAL and not any(c in self._specs for c in req.checks):
                problems.append(f"requirement {req.id} is {req.automation.value} but none of its checks exists")
        if problems:
            raise CheckDefinitionError("check registry is inconsistent:\n  " + "\n  ".join(problems))

    def __len__(self) -> int:
        return len(self._specs)

    def __contains__(self, check_id: object) -> bool:
        return check_id in self._specs

    def get(self, check_id: str) -> CheckSpec:
        """The check with id `check_id`."""
        try:
            return self._specs[check_id]
        except KeyError:
            raise KeyError(f"no check {check_id!r}; known: {sorted(self._specs)}") from None

    def all(self) -> list[CheckSpec]:
        """Every check, sorted by id."""
        return [self._specs[key] for key in sorted(self._specs)]

    def select(
        self,
        *,
        tasks: Sequence[str] | None = None,
        requirement_ids: Sequence[str] | None = None,
        severities: Sequence[str] | None = None,
        check_ids: Sequence[str] | None = None,
        evidence_kinds: Collection[str] | None = None,
    ) -> list[CheckSpec]:
        """Checks matching every given filter (None means no filter); unknown ids are an error.

        `evidence_kinds` keeps the checks that can judge evidence of those kinds (`CheckSpec.can_judge`, the
        runner's own rule), so callers ask the registry instead of keeping lists of check ids; an empty
        collection means no evidence, so no check. An unknown kind is an error, not a silent empty selection.
        """
        if evidence_kinds is not None:
            known = set(known_kinds())
            unknown = sorted(set(evidence_kinds) - known)
            if unknown:
                raise KeyError(f"unknown evidence kinds {unknown}; known: {sorted(known)}")
        if check_ids:
            for check_id in check_ids:
                self.get(check_id)
        if requirement_ids:
            for req_id in requirement_ids:
                self.catalog.requirement(req_id)
        chosen = []
        for spec in self.all():
            meta = spec.metadata
            if tasks and meta.task not in tasks:
                continue
            if requirement_ids and not set(meta.requirements) & set(requirement_ids):
                continue
            if severities and meta.severity.value not in severities:
                continue
            if check_ids and meta.id not in check_ids:
                continue
            if evidence_kinds is not None and not spec.can_judge(evidence_kinds):
                continue
            chosen.append(spec)
        return chosen


@lru_cache(maxsize=1)
def default_registry() -> Registry:
    """The shipped checks against the shipped catalog, built once per process."""
    return Registry(default_catalog(), discover())
