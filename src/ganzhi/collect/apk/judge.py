"""What a call site can do and whom it counts against: permission reachability, path attribution, triggers.

- Reachability: an API guarded by permissions the app does not declare (for its targetSdk) cannot return
  the data, so it is reported as unreachable rather than as collection.
- Path attribution: library code (AndroidX …) acts for whoever asked; a before-consent path counts against
  the last app or SDK method that called into the library, unless that call was only the framework's
  lifecycle chain (`super.onCreate` …), in which case the library acted on its own.
- Triggers: a start made from a click / menu / dialog handler is the user's; one made from a receiver,
  a service, `Application.onCreate`, a job or a push callback is a background start. Helpers are followed
  up their callers (found with the same call-site scanner) a bounded number of levels.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

from ganzhi.collect.apk.attribution import Attributor
from ganzhi.collect.apk.binary import FormatError
from ganzhi.collect.apk.callsites import CallSiteScanner, MethodTarget
from ganzhi.collect.apk.dex import DexFile
from ganzhi.collect.apk.dexset import DexSet
from ganzhi.evidence.apk import ApkStatic, Origin, Trigger, UsesPermission

#: Handlers Android calls for a user's action (View, menu, dialog, list, preference, navigation callbacks).
USER_HANDLERS = frozenset(
    {
        "onClick",
        "onLongClick",
        "onItemClick",
        "onItemLongClick",
        "onItemSelected",
        "onOptionsItemSelected",
        "onContextItemSelected",
        "onMenuItemClick",
        "onMenuItemSelected",
        "onNavigationItemSelected",
        "onPreferenceClick",
        "onPreferenceTreeClick",
        "onChildClick",
        "onGroupClick",
        "onCheckedChanged",
        "onEditorAction",
        "onListItemClick",
        "onDialogClick",
        "onPositiveButtonClicked",
        "onNegativeButtonClicked",
        "shouldOverrideUrlLoading",
    }
)
#: Callbacks the system runs without the user: receivers, services, jobs, workers, push SDK callbacks.
BACKGROUND_HANDLERS = frozenset(
    {
        "onReceive",
        "onStartCommand",
        "onHandleIntent",
        "onHandleWork",
        "onStartJob",
        "doWork",
        "startWork",
        "onPerformSync",
        "onMessageReceived",
        "onNotificationMessageArrived",
        "onReceivePassThroughMessage",
        "onNotifyMessageArrived",
        "onReceiveMessageData",
        "onBootCompleted",
        "onAlarm",
    }
)
_LAMBDA = re.compile(r"^lambda\$([A-Za-z_][A-Za-z0-9_]*)\$\d+")
#: Levels of callers followed from a helper method to a handler, and callers kept per level (bounds).
MAX_CALLER_DEPTH = 3
MAX_METHODS_PER_LEVEL = 400


def declared_permissions(permissions: Iterable[UsesPermission], target_sdk: int | None) -> set[str]:
    """Permissions the app holds when running at its targetSdk (a `maxSdkVersion` below it drops one)."""
    held = set()
    for p in permissions:
        if p.max_sdk is not None and target_sdk is not None and p.max_sdk < target_sdk:
            continue
        held.add(p.name)
    return held


def reachable(guards: Iterable[str], held: set[str]) -> bool:
    """True when the API needs no permission we know of, or the app declares one of those it accepts."""
    needed = set(guards)
    return not needed or bool(needed & held)


def _node_parts(node: str) -> tuple[str, str]:
    cls, _, name_proto = node.partition("->")
    return cls, name_proto


@dataclass(frozen=True, slots=True)
class PathOwner:
    """Whom a path counts against, and the library that made the call on its behalf (if any)."""

    owner: str
    sdk_id: str | None
    origin: Origin
    via_library: str | None = None


def path_owner(path: Sequence[str], who: Attributor) -> PathOwner:
    """Attribute a call path (entry first, caller last) by the rule in the module docstring."""
    if not path:
        return PathOwner("app", None, "app")
    last_cls, _ = _node_parts(path[-1])
    owner, sdk, origin = who.attribute(last_cls)
    if origin != "library":
        return PathOwner(owner, sdk, origin)
    library = owner
    for i in range(len(path) - 2, -1, -1):
        cls, name_proto = _node_parts(path[i])
        o, s, org = who.attribute(cls)
        if org == "library":
            continue
        _next_cls, next_proto = _node_parts(path[i + 1])
        if next_proto == name_proto:  # super.onCreate() / super.<init>(): the framework chain, not a request
            break
        return PathOwner(o, s, org, library)
    return PathOwner(library, None, "library", library)


def _handler_name(method: str) -> str:
    name = method.split("(", 1)[0]
    lam = _LAMBDA.match(name)
    return lam.group(1) if lam else name


@dataclass
class TriggerFinder:
    """Classifies the trigger of call sites, following helpers up to their callers over all DEX files."""

    static: ApkStatic
    dexes: Sequence[DexFile]
    problems: list[str] = field(default_factory=list)
    dexset: DexSet | None = None  # the same files as a set: its invoke indexes (if built) replace the scans
    _scanners: list[CallSiteScanner] | None = None
    _cache: dict[tuple[str, str], tuple[Trigger, str | None]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        kinds = ("receiver", "service")
        self._background_classes = {c.name for c in self.static.components if c.kind in kinds}
        if self.static.application_class:
            self._background_classes.add(self.static.application_class)

    def _direct(self, cls: str, method: str) -> tuple[Trigger, str | None]:
        name = _handler_name(method)
        if name in USER_HANDLERS:
            return "user", f"{cls}.{name}"
        if name in BACKGROUND_HANDLERS:
            return "background", f"{cls}.{name}"
        outer = cls.split("$", 1)[0]
        if cls in self._background_classes or outer in self._background_classes:
            return "background", f"{cls}.{name}"
        return "unknown", None

    def _callers(self, methods: list[tuple[str, str]]) -> dict[tuple[str, str], list[tuple[str, str]]]:
        if self._scanners is None:
            self._scanners = [CallSiteScanner(d) for d in self.dexes]
        targets = []
        for cls, method in methods:
            name, _, proto = method.partition("(")
            targets.append(MethodTarget("L" + cls.replace(".", "/") + ";", name, "(" + proto))
        out: dict[tuple[str, str], list[tuple[str, str]]] = {}
        for i, scanner in enumerate(self._scanners):
            index = (
                self.dexset.built_index(i) if self.dexset is not None and self.dexset.dexes[i] is scanner.dex else None
            )
            try:
                result = scanner.scan(targets, index)
            except FormatError as exc:
                self.problems.append(f"trigger search: {exc}")
                continue
            for site in result.call_sites:
                callee = MethodTarget.parse(site.target)
                key = (callee.class_descriptor[1:-1].replace("/", "."), f"{callee.name}{callee.proto or ''}")
                out.setdefault(key, []).append((site.caller_class, site.caller_method))
        return out

    def classify(self, sites: Iterable[tuple[str, str]]) -> dict[tuple[str, str], tuple[Trigger, str | None]]:
        """(class, method) → (trigger, detail); background wins over user when both reach a site."""
        wanted = list(dict.fromkeys(sites))
        result: dict[tuple[str, str], tuple[Trigger, str | None]] = {}
        pending: dict[tuple[str, str], set[tuple[str, str]]] = {}
        for key in wanted:
            if key in self._cache:
                result[key] = self._cache[key]
                continue
            found = self._direct(*key)
            if found[0] == "unknown":
                pending[key] = {key}
            result[key] = found
        frontier = {m for methods in pending.values() for m in methods}
        seen = set(frontier)
        for _depth in range(MAX_CALLER_DEPTH):
            if not frontier:
                break
            callers = self._callers(sorted(frontier)[:MAX_METHODS_PER_LEVEL])
            next_frontier: set[tuple[str, str]] = set()
            for key, methods in pending.items():
                if result[key][0] == "background":
                    continue
                grown: set[tuple[str, str]] = set()
                for method in sorted(methods):  # sorted: the recorded detail must not depend on hash order
                    for caller in sorted(callers.get(method, ())):
                        trig, detail = self._direct(*caller)
                        if trig == "background" or (trig == "user" and result[key][0] == "unknown"):
                            result[key] = (trig, detail)
                        elif trig == "unknown" and caller not in seen:
                            grown.add(caller)
                pending[key] = grown
                next_frontier |= grown
            seen |= next_frontier
            frontier = next_frontier
        self._cache.update(result)
        return result
