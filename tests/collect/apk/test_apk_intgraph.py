"""The before-consent walk over integer ids gives exactly the string walk's result (findings, paths, counts).

Random programs over two DEX files exercise what the walks must agree on: superclass resolution
across files, interface and virtual dispatch restricted to instantiated classes, the framework
bridges (Thread.start → run), static initialisers, a class defined in both files (the first
wins), findings with their shortest paths, and the method limit.
"""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from tests.collect.apk.apk_forge_cases import GET_DEVICE_ID, LAST_LOCATION, write_demo

from ganzhi.collect.apk import callgraph
from ganzhi.collect.apk.callgraph import (
    CallGraphWalker,
    IntCallGraphWalker,
    WalkResult,
    entry_points,
    reachable_pi_calls,
)
from ganzhi.collect.apk.dexset import DexSet
from ganzhi.collect.apk.intgraph import program_of
from ganzhi.collect.apk.reader import ApkFacts, read_apk
from ganzhi.forge.apk.builder import write_apk
from ganzhi.forge.apk.spec import (
    ApkSpec,
    ClassSpec,
    ComponentSpec,
    DexSpec,
    IntentFilterSpec,
    InvokeSpec,
    ManifestSpec,
    MethodSpec,
)
from shared_data import shared_path

PKG = "com.rand"
RESOLVER_QUERY = (
    "Landroid/content/ContentResolver;->query(Landroid/net/Uri;[Ljava/lang/String;Ljava/lang/String;"
    "[Ljava/lang/String;Ljava/lang/String;)Landroid/database/Cursor;"
)
OUTSIDE = ("Ljava/lang/Thread;->start()V", "Ljava/util/concurrent/Executor;->execute(Ljava/lang/Runnable;)V")
PROTOS = ("()V", "(I)V", "(Ljava/lang/String;)V")


def _desc(name: str) -> str:
    return "L" + name.replace(".", "/") + ";"


def _calls(
    rng: random.Random, names: list[str], methods: dict[str, list[tuple[str, str]]], most: int
) -> tuple[InvokeSpec, ...]:
    """Up to `most` random invokes: virtual/static calls, constructors, bridges, PI APIs, resolver queries."""
    calls = []
    for _ in range(rng.randint(0, most)):
        roll = rng.random()
        other = rng.choice(names)
        om, oproto = rng.choice(methods[other])
        if roll < 0.35:
            calls.append(InvokeSpec(f"{_desc(other)}->{om}{oproto}", "virtual"))
        elif roll < 0.5:
            calls.append(InvokeSpec(f"{_desc(other)}-><init>()V", "direct"))
        elif roll < 0.6:
            calls.append(InvokeSpec(f"{_desc(other)}->{om}{oproto}", "static"))
        elif roll < 0.7:
            calls.append(InvokeSpec(rng.choice(OUTSIDE), "virtual"))
        elif roll < 0.8:
            calls.append(InvokeSpec(rng.choice((GET_DEVICE_ID, LAST_LOCATION)), "virtual"))
        elif roll < 0.85:
            calls.append(InvokeSpec(RESOLVER_QUERY, "virtual"))
        else:
            calls.append(InvokeSpec("Ljava/lang/Runnable;->run()V", "interface"))
    return tuple(calls)


def random_spec(seed: int, n_classes: int = 40) -> ApkSpec:
    """Classes C0..Cn in two DEX files with random supertypes, methods and calls; C1 is defined in both."""
    rng = random.Random(seed)
    names = [f"{PKG}.C{i}" for i in range(n_classes)]
    methods = {name: [(f"m{j}", rng.choice(PROTOS)) for j in range(rng.randint(1, 4))] for name in names}
    classes = []
    for i, name in enumerate(names):
        parents = names[:i]
        superclass = rng.choice(parents) if parents and rng.random() < 0.5 else "java.lang.Object"
        interfaces = ("java.lang.Runnable",) if rng.random() < 0.3 else ()
        ctor_calls = (InvokeSpec("Ljava/lang/Object;-><init>()V", "direct"), *_calls(rng, names, methods, 3))
        specs = [MethodSpec("<init>", "()V", invokes=ctor_calls)]
        if rng.random() < 0.2:
            specs.append(MethodSpec("<clinit>", "()V", static=True, invokes=(InvokeSpec(GET_DEVICE_ID, "virtual"),)))
        if interfaces:
            specs.append(
                MethodSpec("run", invokes=(InvokeSpec(LAST_LOCATION, "virtual"), *_calls(rng, names, methods, 2)))
            )
        for m, proto in methods[name]:
            strings = ("content://sms/inbox",) if rng.random() < 0.3 else ()
            specs.append(MethodSpec(m, proto, invokes=_calls(rng, names, methods, 6), strings=strings))
        classes.append(ClassSpec(name, superclass=superclass, interfaces=interfaces, methods=tuple(specs)))
    half = n_classes // 2
    twin = ClassSpec(names[1], methods=(MethodSpec("<init>", "()V"), MethodSpec("m0", "()V")))  # loses: defined later
    manifest = ManifestSpec(
        package=PKG,
        application_name=names[0],
        components=(
            ComponentSpec("provider", names[2], authorities=f"{PKG}.p"),
            ComponentSpec(
                "receiver",
                names[3],
                exported=True,
                intent_filters=(IntentFilterSpec(actions=("android.intent.action.BOOT_COMPLETED",)),),
            ),
            ComponentSpec(
                "activity",
                names[4],
                exported=True,
                intent_filters=(
                    IntentFilterSpec(
                        actions=("android.intent.action.MAIN",), categories=("android.intent.category.LAUNCHER",)
                    ),
                ),
            ),
        ),
    )
    return ApkSpec(manifest=manifest, dex=(DexSpec(tuple(classes[:half])), DexSpec((*classes[half:], twin))))


def _both(facts: ApkFacts, max_methods: int = 200_000) -> tuple[WalkResult, WalkResult]:
    entries = entry_points(facts.static)
    names = CallGraphWalker(DexSet(facts.dex_files, facts.class_descriptors), max_methods=max_methods).walk(entries)
    program = program_of(DexSet(facts.dex_files, facts.class_descriptors))
    assert program is not None
    ints = IntCallGraphWalker(program, max_methods=max_methods).walk(entries)
    return names, ints


@pytest.mark.parametrize("seed", range(12))
def test_integer_walk_equals_string_walk_on_random_programs(tmp_path: Path, seed: int) -> None:
    facts = read_apk(write_apk(random_spec(seed), tmp_path / "r.apk"), keep_dex=True)
    names, ints = _both(facts)
    assert ints == names
    assert names.visited > 5


def test_integer_walk_finds_the_demo_reaches_with_their_paths(tmp_path: Path) -> None:
    facts = read_apk(write_demo(tmp_path), keep_dex=True)
    names, ints = _both(facts)
    assert ints == names
    assert {r.api for r in ints.reaches} >= {GET_DEVICE_ID, LAST_LOCATION}


def test_method_limit_truncates_both_walks_alike(tmp_path: Path) -> None:
    facts = read_apk(write_apk(random_spec(3, 60), tmp_path / "r.apk"), keep_dex=True)
    names, ints = _both(facts, max_methods=7)
    assert ints == names
    assert ints.truncated and ints.visited == 7


def test_large_walks_restart_over_ids_with_the_same_result(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    facts = read_apk(write_apk(random_spec(5), tmp_path / "r.apk"), keep_dex=True)
    expected = CallGraphWalker(DexSet(facts.dex_files, facts.class_descriptors)).walk(entry_points(facts.static))
    monkeypatch.setattr(callgraph, "STRING_WALK_METHODS", 2)
    assert reachable_pi_calls(facts.static, DexSet(facts.dex_files, facts.class_descriptors)) == expected


def test_a_dex_without_an_invoke_index_keeps_the_string_walk(tmp_path: Path) -> None:
    facts = read_apk(write_demo(tmp_path), keep_dex=True)
    facts.dex_files[0].invoke_index = False  # as for a file whose code cannot be indexed whole
    assert program_of(DexSet(facts.dex_files, facts.class_descriptors)) is None


@pytest.mark.shared_data
@pytest.mark.parametrize("name", ["mobpush_demo.apk", "bugly_upgrade_demo.apk"])
def test_integer_walk_equals_string_walk_on_real_apks(name: str) -> None:
    facts = read_apk(shared_path("apk", "apks", "cn", name), keep_dex=True)
    names, ints = _both(facts)
    assert ints == names
    assert names.visited > 1000
