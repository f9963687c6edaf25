"""The whole-DEX invoke index: the same invokes as the per-method walk, and the same analyses with or without it."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from forge.apk.forge_fixtures import sample_apk
from ganzhi.collect.apk import dexset as dexset_module
from ganzhi.collect.apk.binary import FormatError
from ganzhi.collect.apk.callgraph import reachable_pi_calls
from ganzhi.collect.apk.dexcode import INVOKE_KIND, method_code_table
from ganzhi.collect.apk.dexset import DexSet
from ganzhi.collect.apk.invokeindex import build_invoke_index, invoke_index_of
from ganzhi.collect.apk.judge import TriggerFinder
from ganzhi.collect.apk.reader import ApkFacts, read_apk
from ganzhi.forge.apk.builder import write_apk
from shared_data import shared_path


def _facts(apk: Path) -> ApkFacts:
    return read_apk(apk, keep_dex=True)


def _real_apk() -> Path:
    return shared_path("apk", "apks", "androguard", "a2dp.Vol_137.apk")


@pytest.fixture(params=["forged", "real"])
def facts(request: pytest.FixtureRequest, tmp_path: Path) -> ApkFacts:
    if request.param == "forged":
        return _facts(write_apk(sample_apk(), tmp_path / "sample.apk"))
    return _facts(_real_apk())


def test_index_holds_every_methods_invokes_in_code_order(facts: ApkFacts) -> None:
    dexes = DexSet(facts.dex_files, facts.class_descriptors)
    for i, dex in enumerate(facts.dex_files):
        index = build_invoke_index(dex)
        table = method_code_table(dex)
        for method_idx, start in zip(table.method_idx.tolist(), table.insns_start.tolist(), strict=True):
            span = index.span(method_idx, start - 16)
            assert span is not None
            lo, hi = span
            from_index = [
                (dexes.method_ref(i, int(c)), INVOKE_KIND[int(o)])
                for c, o in zip(index.callee[lo:hi], index.opcode[lo:hi], strict=True)
            ]
            walked = dexes.decode(i, start - 16, strings=False).invokes
            assert [(inv.target, inv.kind) for inv in walked] == [(r, k) for r, k in from_index if r is not None]
            assert index.span(method_idx, start - 12) is None  # another code item: not this method's


def test_overlapping_code_ranges_are_not_indexed(facts: ApkFacts) -> None:
    dex = facts.dex_files[0]
    table = method_code_table(dex)
    if table.size < 2:
        pytest.skip("needs two methods with code")
    ends = table.insns_end.copy()
    ends[0] = table.insns_start[1] + 2  # the first method now runs into the second
    with pytest.raises(FormatError, match="overlap"):
        build_invoke_index(dex, replace(table, insns_end=ends))


def test_a_file_that_cannot_be_indexed_keeps_the_per_method_walk(facts: ApkFacts) -> None:
    dex = facts.dex_files[0]
    dex.invoke_index = False  # as after a failed build
    assert invoke_index_of(dex) is None
    dexes = DexSet(facts.dex_files, facts.class_descriptors)
    assert dexes.invoke_keys(0, 0, 0) is None


def test_walk_and_triggers_are_the_same_with_and_without_the_index(
    facts: ApkFacts, monkeypatch: pytest.MonkeyPatch
) -> None:
    for dex in facts.dex_files:
        assert invoke_index_of(dex) is not None  # the read indexed every kept DEX
    with_index = reachable_pi_calls(facts.static, DexSet(facts.dex_files, facts.class_descriptors))
    indexed_finder = TriggerFinder(
        facts.static, facts.dex_files, dexset=DexSet(facts.dex_files, facts.class_descriptors)
    )
    sites = [(s.caller_class, s.caller_method) for s in facts.call_sites]
    with_triggers = indexed_finder.classify(sites)

    monkeypatch.setattr(dexset_module, "INDEX_AFTER_DECODES", 10**9)
    for dex in facts.dex_files:
        dex.invoke_index = None  # never built: every method is decoded on its own
    without_index = reachable_pi_calls(facts.static, DexSet(facts.dex_files, facts.class_descriptors))
    assert all(dex.invoke_index is None for dex in facts.dex_files)
    without_triggers = TriggerFinder(facts.static, facts.dex_files).classify(sites)

    assert with_index.reaches == without_index.reaches
    assert (with_index.visited, with_index.truncated, with_index.problems) == (
        without_index.visited,
        without_index.truncated,
        without_index.problems,
    )
    assert with_triggers == without_triggers


def test_index_positions_are_instruction_starts_with_an_invoke_opcode(facts: ApkFacts) -> None:
    for dex in facts.dex_files:
        index = build_invoke_index(dex)
        units = np.frombuffer(dex.data, dtype="<u2", count=dex.header.file_size // 2)
        assert (np.diff(index.position) > 0).all()
        assert ((units[index.position // 2] & 0xFF) == index.opcode).all()
        assert (units[index.position // 2 + 1] == index.callee).all()
        assert (index.key == (index.callee.astype(np.uint32) << 8 | index.opcode)).all()
