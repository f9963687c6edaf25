"""Before consent: a call graph from code that runs before any UI to personal-information APIs.

The walk starts at the entry points Android runs before the user can see (let alone accept) a
privacy policy — ContentProvider.onCreate (auto-init providers), Application attachBaseContext /
onCreate, boot receivers, and the launcher activity's onCreate — and follows invokes breadth first,
so each finding carries a shortest call path. Virtual and interface calls are dispatched over the
class hierarchy, restricted to classes the walk has seen constructed (rapid type analysis), plus a
few framework bridges (Thread.start → run, Executor.execute → run, Handler.post → run...). Only
reachable methods are ever decoded. The result is a *risk*: static analysis cannot see the consent
dialog; a dynamic trace (`traces.py`) turns it into a definite finding.
"""

from __future__ import annotations

from array import array
from collections import deque
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

import numpy as np

from ganzhi.collect.apk.api_table import default_api_table, table_pi_category
from ganzhi.collect.apk.binary import FormatError
from ganzhi.collect.apk.dexset import DexSet, Invoke, MethodRef
from ganzhi.collect.apk.intgraph import Program, ints, program_of
from ganzhi.evidence.apk import ApkStatic, PreConsentEntry

BOOT_ACTIONS = frozenset(
    {
        "android.intent.action.BOOT_COMPLETED",
        "android.intent.action.LOCKED_BOOT_COMPLETED",
        "android.intent.action.QUICKBOOT_POWERON",
        "com.htc.intent.action.QUICKBOOT_POWERON",
    }
)
RUNNABLE = "Ljava/lang/Runnable;"
_RUN = "run()V"
#: framework calls that run code of an object later: (class, method name) → [(type, name(proto))] dispatched.
BRIDGES: dict[tuple[str, str], tuple[tuple[str, str], ...]] = {
    ("Ljava/lang/Thread;", "start"): (("Ljava/lang/Thread;", _RUN), (RUNNABLE, _RUN)),
    ("Ljava/util/concurrent/Executor;", "execute"): ((RUNNABLE, _RUN),),
    ("Ljava/util/concurrent/ExecutorService;", "execute"): ((RUNNABLE, _RUN),),
    ("Ljava/util/concurrent/ExecutorService;", "submit"): (
        (RUNNABLE, _RUN),
        ("Ljava/util/concurrent/Callable;", "call()Ljava/lang/Object;"),
    ),
    ("Landroid/os/Handler;", "post"): ((RUNNABLE, _RUN),),
    ("Landroid/os/Handler;", "postDelayed"): ((RUNNABLE, _RUN),),
    ("Landroid/os/Handler;", "sendMessage"): (("Landroid/os/Handler;", "handleMessage(Landroid/os/Message;)V"),),
    ("Landroid/os/AsyncTask;", "execute"): (
        ("Landroid/os/AsyncTask;", "doInBackground([Ljava/lang/Object;)Ljava/lang/Object;"),
    ),
}
_ENTRY_METHODS: dict[PreConsentEntry, tuple[str, ...]] = {
    "provider": ("<clinit>()V", "<init>()V", "onCreate()Z"),
    "application": ("<clinit>()V", "<init>()V", "attachBaseContext(Landroid/content/Context;)V", "onCreate()V"),
    "boot_receiver": ("<init>()V", "onReceive(Landroid/content/Context;Landroid/content/Intent;)V"),
    "launcher_activity": ("<clinit>()V", "<init>()V", "onCreate(Landroid/os/Bundle;)V"),
}


@dataclass(frozen=True, slots=True)
class EntryPoint:
    """A method Android calls before any UI, and why."""

    method: MethodRef
    kind: PreConsentEntry


@dataclass(frozen=True, slots=True)
class PiReach:
    """A PI API call reachable from an entry point, with the call path (entry first, caller last)."""

    entry: EntryPoint
    api: str
    pi_category: str
    path: tuple[str, ...]
    caller_class: str


@dataclass(slots=True)
class WalkResult:
    """Findings of one walk and how much it did."""

    reaches: list[PiReach] = field(default_factory=list)
    visited: int = 0
    truncated: bool = False
    problems: list[str] = field(default_factory=list)


def descriptor_of(dotted: str) -> str:
    """`a.b.C` → `La/b/C;`."""
    return "L" + dotted.replace(".", "/") + ";"


def entry_points(static: ApkStatic) -> list[EntryPoint]:
    """Entry methods in the order Android runs them: providers, Application, boot receivers, launcher."""
    classes: list[tuple[PreConsentEntry, str]] = []
    classes += [("provider", c.name) for c in static.components if c.kind == "provider" and c.enabled]
    if static.application_class:
        classes.append(("application", static.application_class))
    for comp in static.components:
        boot = any(a in BOOT_ACTIONS for f in comp.intent_filters for a in f.actions)
        if comp.kind == "receiver" and comp.enabled and boot:
            classes.append(("boot_receiver", comp.name))
    activities = {c.name: c for c in static.components if c.kind in ("activity", "activity-alias")}
    for name in static.launcher_activities:
        alias = activities.get(name)
        target = alias.target_activity if alias is not None and alias.target_activity else name
        classes.append(("launcher_activity", target))
    seen: set[tuple[str, str]] = set()
    result = []
    for kind, cls in classes:
        for name_proto in _ENTRY_METHODS[kind]:
            ref = MethodRef(descriptor_of(cls), name_proto)
            if (ref.cls, name_proto) not in seen:
                seen.add((ref.cls, name_proto))
                result.append(EntryPoint(ref, kind))
    return result


_Target = tuple[str, int, int, int]  # (node, dex, method_idx, code_off) a ref resolves to


@dataclass(slots=True)
class _Plan:
    """What the walk does for one invoke target and kind (the same targets are invoked again and again)."""

    inv: Invoke
    record: bool  # a PI API (or a ContentResolver query): a finding, not followed
    api: str
    init: bool  # a constructor: the class is instantiated
    clinit: MethodRef | None  # a static call runs the class initializer first
    virtual: bool  # dispatched over the instantiated subtypes
    bridges: tuple[tuple[str, str], ...]
    resolved: bool = False  # `target` holds what the invoked ref resolves to (looked up on first enqueue)
    target: _Target | None = None


_DONE = _Plan(Invoke(MethodRef("", ""), ""), False, "", False, None, False, ())  # a retired plan


class CallGraphWalker:
    """Breadth-first walk over the APK's code from entry points; bounded by `max_methods`."""

    def __init__(self, dexset: DexSet, *, max_methods: int = 200_000, max_reaches: int = 2_000) -> None:
        self.dexset = dexset
        self.max_methods = max_methods
        self.max_reaches = max_reaches
        self._parent: dict[str, str | None] = {}
        self._root: dict[str, EntryPoint] = {}
        self._queue: deque[tuple[str, int, int, int]] = deque()
        self._nodes: dict[MethodRef, _Target | None] = {}
        self._instantiated: set[str] = set()
        self._by_method: dict[str, list[str]] = {}  # name(proto) → instantiated classes defining it
        self._requests: dict[str, dict[str, str]] = {}  # name(proto) → {receiver type: requesting node}
        self._seen_calls: set[tuple[str, str]] = set()
        self._pi = default_api_table().pi_keys
        self._plans: dict[Invoke, _Plan] = {}
        self._keyed_plans: list[dict[int, _Plan]] = [{} for _ in dexset.dexes]  # per DEX: index key → plan
        self.result = WalkResult()

    def walk(self, entries: Iterable[EntryPoint]) -> WalkResult:
        """Visit everything reachable from `entries`; findings keep the first (shortest) path."""
        for entry in entries:
            self._instantiate(entry.method.cls, None, entry)
            self._enqueue(entry.method, None, entry)
        while self._queue:
            if self.result.visited >= self.max_methods:
                self.result.truncated = True
                self.result.problems.append(f"call graph stopped after {self.max_methods} methods (limit)")
                break
            node, dex_i, method_idx, code_off = self._queue.popleft()
            self.result.visited += 1
            try:
                self._visit(node, dex_i, method_idx, code_off)
            except FormatError as exc:
                self.result.problems.append(f"{node}: {exc}")
        self.result.problems.extend(self.dexset.problems)
        return self.result

    def _resolve(self, ref: MethodRef) -> _Target | None:
        if ref in self._nodes:
            return self._nodes[ref]
        found = self.dexset.resolve(ref)
        target = None
        if found is not None:
            info, idx, code_off = found
            target = (f"{info.descriptor}->{ref.name_proto}", info.dex, idx, code_off)
        self._nodes[ref] = target
        return target

    def _enqueue(self, ref: MethodRef, parent: str | None, entry: EntryPoint) -> None:
        self._enqueue_target(self._resolve(ref), parent, entry)

    def _enqueue_target(self, target: _Target | None, parent: str | None, entry: EntryPoint) -> None:
        if target is None:
            return
        node = target[0]
        if node in self._parent:
            return
        self._parent[node] = parent
        self._root[node] = entry
        if target[3]:
            self._queue.append(target)

    def _instantiate(self, cls: str, parent: str | None, entry: EntryPoint) -> None:
        if cls in self._instantiated:
            return
        info = self.dexset.class_info(cls)
        if info is None:
            return
        self._instantiated.add(cls)
        self._enqueue(MethodRef(cls, "<clinit>()V"), parent, entry)
        supers = None
        by_method, requests = self._by_method, self._requests
        for name_proto in info.methods:
            classes = by_method.get(name_proto)
            if classes is None:
                by_method[name_proto] = [cls]
            else:
                classes.append(cls)
            if name_proto not in requests:
                continue
            for receiver, requester in requests[name_proto].items():
                supers = supers if supers is not None else self.dexset.supertypes(cls) | {cls}
                if receiver in supers:
                    self._enqueue(MethodRef(cls, name_proto), requester, self._root[requester])

    def _dispatch(self, receiver: str, name_proto: str, node: str) -> None:
        requests = self._requests.setdefault(name_proto, {})
        if receiver in requests:
            return
        requests[receiver] = node
        entry = self._root[node]
        for cls in self._by_method.get(name_proto, ()):
            if cls == receiver or receiver in self.dexset.supertypes(cls):
                self._enqueue(MethodRef(cls, name_proto), node, entry)

    def _plan(self, inv: Invoke) -> _Plan:
        """What visiting an invoke does, worked out once per (target, kind)."""
        target = inv.target
        cls, name_proto = target
        name = name_proto.partition("(")[0]
        record = (cls, name) in self._pi or (cls == "Landroid/content/ContentResolver;" and name == "query")
        return _Plan(
            inv=inv,
            record=record,
            api=f"{cls}->{name_proto}" if record else "",  # only findings name their API
            init=name == "<init>",
            clinit=MethodRef(cls, "<clinit>()V") if inv.kind == "static" else None,
            virtual=inv.kind in ("virtual", "interface"),
            bridges=BRIDGES.get((cls, name), ()),
        )

    def _plan_of_key(self, dex_i: int, key: int) -> _Plan | None:
        """The plan of an invoke index key (None: the key names no method of the DEX)."""
        made = self.dexset.invoke_of_key(dex_i, key)
        return self._plan(made) if made is not None else None

    def _visit(self, node: str, dex_i: int, method_idx: int, code_off: int) -> None:
        """Run the plans of the method's invokes in code order.

        A plan other than a finding has done all it can the first time it runs (the class is
        instantiated, the targets enqueued, the dispatch requested), so it is retired then and later
        invokes of the same target cost one lookup. Findings depend on the calling node: never retired.
        """
        entry = self._root[node]
        keys = self.dexset.invoke_keys(dex_i, method_idx, code_off)
        if keys is None:
            plans = self._plans
            for inv in self.dexset.invokes(dex_i, method_idx, code_off):
                plan = plans.get(inv)
                if plan is None:
                    plan = plans[inv] = self._plan(inv)
                if plan is not _DONE and self._run(plan, node, entry, dex_i, code_off):
                    plans[inv] = _DONE
            return
        keyed = self._keyed_plans[dex_i]
        for key in [k for k in keys if k not in keyed]:  # all planned before any runs: a bad key runs none
            if key not in keyed:
                keyed[key] = self._plan_of_key(dex_i, key) or _DONE
        for key in keys:
            found = keyed[key]
            if found is not _DONE and self._run(found, node, entry, dex_i, code_off):
                keyed[key] = _DONE

    def _run(self, plan: _Plan, node: str, entry: EntryPoint, dex_i: int, code_off: int) -> bool:
        """Do what one invoke does from `node`; True when the plan can be retired (see `_visit`)."""
        target = plan.inv.target
        if plan.record:
            self._record(node, entry, plan.api, lambda: self.dexset.decode(dex_i, code_off).strings)
            return False
        if plan.init:
            self._instantiate(target.cls, node, entry)
        elif plan.clinit is not None:
            self._enqueue(plan.clinit, node, entry)
        if not plan.resolved:
            plan.target, plan.resolved = self._resolve(target), True
        self._enqueue_target(plan.target, node, entry)
        if plan.virtual:
            self._dispatch(target.cls, target.name_proto, node)
        for receiver, name_proto in plan.bridges:
            self._dispatch(receiver, name_proto, node)
        return True

    def _record(self, node: str, entry: EntryPoint, api: str, strings_of: Callable[[], list[str]]) -> None:
        """Keep a reach; the caller's const-strings (content URIs) are decoded only for resolver calls."""
        needs_strings = api.startswith("Landroid/content/ContentResolver;->")
        category = table_pi_category(api, strings_of() if needs_strings else ())
        if category is None or (node, api) in self._seen_calls or len(self.result.reaches) >= self.max_reaches:
            return
        self._seen_calls.add((node, api))
        path: list[str] = []
        cursor: str | None = node
        while cursor is not None and len(path) < 256:
            path.append(cursor)
            cursor = self._parent.get(cursor)
        path.reverse()
        caller = node.split("->", 1)[0]
        self.result.reaches.append(PiReach(entry, api, category, tuple(path), caller[1:-1].replace("/", ".")))


#: methods a walk visits on names before it starts again over integer ids: numbering a program costs about
#: 0.5 µs per method reference, a cold visit on names about 20 µs, one over ids about 5 µs; most APKs' walks
#: either stop within a few dozen methods or run to thousands (performance only: same result either way)
STRING_WALK_METHODS = 100
_STATIC_OPS = frozenset({0x71, 0x77})
_VIRTUAL_OPS = frozenset({0x6E, 0x72, 0x74, 0x78})
_RECORD, _INIT, _BRIDGE = 1, 2, 4  # what an invoked method reference does in the walk
_RESOLVER = "Landroid/content/ContentResolver;"


class IntCallGraphWalker:
    """The walk of `CallGraphWalker` over a `Program`'s integer ids: the same queue order, instantiations and
    dispatch requests, so the same findings with the same paths; strings are built for findings only."""

    def __init__(self, program: Program, *, max_methods: int = 200_000, max_reaches: int = 2_000) -> None:
        self.program = program
        self.max_methods = max_methods
        self.max_reaches = max_reaches
        self._parent: dict[int, int] = {}
        self._root: dict[int, int] = {}
        self._queue: deque[int] = deque()
        self._instantiated: set[int] = set()
        self._by_method: dict[int, list[tuple[int, int]]] = {}  # signature → (instantiated class, its node)
        self._requests: dict[int, dict[int, int]] = {}  # signature → {receiver class: requesting node}
        self._supers: dict[int, frozenset[int]] = {}
        self._seen_calls: set[tuple[int, str]] = set()
        self._retired: list[set[int]] = [set() for _ in program.dexes]  # per DEX: invoke keys done for good
        self._apis: dict[tuple[int, int], str] = {}
        self._categories: dict[str, str | None] = {}
        self._names: dict[int, str] = {}
        self._clinit = program.sig_id("<clinit>()V")
        self._flags, self._bridges = self._method_flags()
        self._entries: list[EntryPoint] = []
        self.result = WalkResult()

    def _method_flags(self) -> tuple[list[array[int]], dict[int, tuple[tuple[int, int], ...]]]:
        """Per DEX per method reference: record / constructor / bridge flags; bridge dispatches by class*names+name."""
        prog = self.program
        n_names = prog.n_names

        def pair_keys(pairs: Iterable[tuple[str, str]]) -> dict[int, tuple[str, str]]:
            out = {}
            for cls, name in pairs:
                c, n = prog.find_class(cls), prog.find_name(name)
                if c >= 0 and n >= 0:
                    out[c * n_names + n] = (cls, name)
            return out

        record = pair_keys([*default_api_table().pi_keys, (_RESOLVER, "query")])
        bridge_names = pair_keys(BRIDGES)
        bridges = {
            key: tuple((prog.class_id(r), prog.sig_id(np_)) for r, np_ in BRIDGES[pair])
            for key, pair in bridge_names.items()
        }
        init = prog.find_name("<init>")
        record_keys = np.fromiter(record, dtype=np.int64, count=len(record))
        bridge_keys = np.fromiter(bridges, dtype=np.int64, count=len(bridges))
        flags = []
        for d in prog.dexes:
            key = np.frombuffer(d.method_cls, dtype=np.int32).astype(np.int64) * n_names + d.method_name
            f = np.isin(key, record_keys).astype(np.int64) * _RECORD
            f |= (d.method_name == init).astype(np.int64) * _INIT
            f |= np.isin(key, bridge_keys).astype(np.int64) * _BRIDGE
            flags.append(ints(f, "i"))
        return flags, bridges

    def walk(self, entries: Iterable[EntryPoint]) -> WalkResult:
        """Visit everything reachable from `entries` (as `CallGraphWalker.walk`)."""
        prog = self.program
        self._entries = list(entries)
        for i, entry in enumerate(self._entries):
            cls = prog.find_class(entry.method.cls)
            if cls < 0:
                continue
            self._instantiate(cls, -1, i)
            self._enqueue(prog.resolve(cls, prog.sig_id(entry.method.name_proto)), -1, i)
        result = self.result
        while self._queue:
            if result.visited >= self.max_methods:
                result.truncated = True
                result.problems.append(f"call graph stopped after {self.max_methods} methods (limit)")
                break
            node = self._queue.popleft()
            result.visited += 1
            try:
                self._visit(node)
            except FormatError as exc:
                result.problems.append(f"{self._name(node)}: {exc}")
        result.problems.extend(prog.dexset.problems)
        return result

    def _name(self, node: int) -> str:
        found = self._names.get(node)
        if found is None:
            found = self._names[node] = self.program.node_name(node)
        return found

    def _enqueue(self, node: int, parent: int, entry: int) -> None:
        if node < 0 or node in self._parent:
            return
        self._parent[node] = parent
        self._root[node] = entry
        if self.program.node_code[node]:
            self._queue.append(node)

    def _supertypes(self, cls: int) -> frozenset[int]:
        found = self._supers.get(cls)
        if found is None:
            found = self._supers[cls] = self.program.supertypes(cls)
        return found

    def _instantiate(self, cls: int, parent: int, entry: int) -> None:
        if cls in self._instantiated or not self.program.defined(cls):
            return
        self._instantiated.add(cls)
        self._enqueue(self.program.resolve(cls, self._clinit), parent, entry)
        supers: frozenset[int] | None = None
        by_method, requests = self._by_method, self._requests
        for sig, node in self.program.methods(cls):
            classes = by_method.get(sig)
            if classes is None:
                by_method[sig] = [(cls, node)]
            else:
                classes.append((cls, node))
            waiting = requests.get(sig)
            if waiting is None:
                continue
            for receiver, requester in waiting.items():
                supers = supers if supers is not None else self._supertypes(cls) | {cls}
                if receiver in supers:
                    self._enqueue(node, requester, self._root[requester])

    def _dispatch(self, receiver: int, sig: int, node: int) -> None:
        requests = self._requests.setdefault(sig, {})
        if receiver in requests:
            return
        requests[receiver] = node
        entry = self._root[node]
        for cls, target in self._by_method.get(sig, ()):
            if cls == receiver or receiver in self._supertypes(cls):
                self._enqueue(target, node, entry)

    def _visit(self, node: int) -> None:
        """Each invoke of the method in code order; a non-finding invoke has done all it can the first time it
        runs (see `CallGraphWalker._visit`), so its key is retired for the whole DEX."""
        prog = self.program
        dex_i, midx = prog.node_dex[node], prog.node_midx[node]
        d = prog.dexes[dex_i]
        entry = self._root[node]
        retired = self._retired[dex_i]
        flags, classes, targets = self._flags[dex_i], d.method_cls, d.method_node
        parent, root, queue, has_code = self._parent, self._root, self._queue, prog.node_code
        n_methods = len(flags)
        for key in d.invoke_keys[d.first[midx] : d.last[midx]]:
            if key in retired:
                continue
            m = key >> 8
            if m >= n_methods:  # names no method of the DEX
                retired.add(key)
                continue
            f = flags[m]
            if f & _RECORD:
                self._record(node, entry, dex_i, m)
                continue
            op = key & 0xFF
            if f & _INIT:
                self._instantiate(classes[m], node, entry)
            elif op in _STATIC_OPS:
                self._enqueue(prog.resolve(classes[m], self._clinit), node, entry)
            target = targets[m]
            if target >= 0 and target not in parent:  # `_enqueue`, inlined: the walk's commonest step
                parent[target] = node
                root[target] = entry
                if has_code[target]:
                    queue.append(target)
            if op in _VIRTUAL_OPS:
                self._dispatch(classes[m], d.method_sig[m], node)
            if f & _BRIDGE:
                for receiver, sig in self._bridges[classes[m] * prog.n_names + int(d.method_name[m])]:
                    self._dispatch(receiver, sig, node)
            retired.add(key)

    def _record(self, node: int, entry: int, dex_i: int, m: int) -> None:
        """Keep a reach (as `CallGraphWalker._record`); the caller's const-strings are decoded for resolver calls."""
        api = self._apis.get((dex_i, m))
        if api is None:
            api = self._apis[(dex_i, m)] = self.program.api_name(dex_i, m)
        if api.startswith(_RESOLVER + "->"):
            strings = self.program.dexset.decode(self.program.node_dex[node], self.program.node_code[node]).strings
            category = table_pi_category(api, strings)
        elif api in self._categories:
            category = self._categories[api]
        else:
            category = self._categories[api] = table_pi_category(api, ())
        if category is None or (node, api) in self._seen_calls or len(self.result.reaches) >= self.max_reaches:
            return
        self._seen_calls.add((node, api))
        path: list[str] = []
        cursor = node
        while cursor >= 0 and len(path) < 256:
            path.append(self._name(cursor))
            cursor = self._parent.get(cursor, -1)
        path.reverse()
        caller = path[-1].split("->", 1)[0]
        self.result.reaches.append(
            PiReach(self._entries[entry], api, category, tuple(path), caller[1:-1].replace("/", "."))
        )


def reachable_pi_calls(static: ApkStatic, dexset: DexSet, *, max_methods: int = 200_000) -> WalkResult:
    """Walk from every entry point of `static` over `dexset`.

    A small walk stays on names (numbering the whole program costs more than it saves); once it passes
    `STRING_WALK_METHODS`, it starts again over integer ids (`intgraph.program_of`), or on names when the
    code needs that. Same result either way.
    """
    entries = entry_points(static)
    probe = min(max_methods, STRING_WALK_METHODS)
    small = CallGraphWalker(dexset, max_methods=probe).walk(entries)
    if not small.truncated or probe == max_methods:
        return small
    program = program_of(dexset)
    if program is None:
        return CallGraphWalker(dexset, max_methods=max_methods).walk(entries)
    return IntCallGraphWalker(program, max_methods=max_methods).walk(entries)
