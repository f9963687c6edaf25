"""Declarative description of an APK to forge: manifest, DEX classes with invoke sites, extra entries.

Plain frozen dataclasses (not pydantic) because the benchmark generator creates hundreds of
thousands of classes and validation per object would dominate. Names may be Java-dotted
(`com.x.Foo`) or descriptors (`Lcom/x/Foo;`); `descriptor()` normalises them.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Literal

InvokeKind = Literal["virtual", "super", "direct", "static", "interface"]
ComponentKind = Literal["activity", "service", "receiver", "provider"]

ACC_PUBLIC = 0x1
ACC_PRIVATE = 0x2
ACC_STATIC = 0x8
ACC_INTERFACE = 0x200
ACC_ABSTRACT = 0x400
ACC_CONSTRUCTOR = 0x10000

_PRIMITIVES = frozenset("VZBSCIJFD")
_PROTO = re.compile(r"^\(([^)]*)\)(\S+)$")


def descriptor(name: str) -> str:
    """`com.x.Foo` → `Lcom/x/Foo;`; descriptors and primitives pass through."""
    if name.startswith(("L", "[")) and (name.endswith(";") or name.startswith("[")):
        return name
    if name in _PRIMITIVES:
        return name
    return "L" + name.replace(".", "/") + ";"


def split_type_list(text: str) -> list[str]:
    """Split concatenated descriptors `ILjava/lang/String;[J` into a list."""
    out: list[str] = []
    i = 0
    while i < len(text):
        j = i
        while j < len(text) and text[j] == "[":
            j += 1
        if j >= len(text):
            raise ValueError(f"type list {text!r}: array marker without element type at {i}")
        if text[j] == "L":
            end = text.find(";", j)
            if end < 0:
                raise ValueError(f"type list {text!r}: class type at {j} has no ';'")
            j = end
        elif text[j] not in _PRIMITIVES or (text[j] == "V" and j != i):
            raise ValueError(f"type list {text!r}: unexpected {text[j]!r} at {j}")
        out.append(text[i : j + 1])
        i = j + 1
    return out


def parse_proto(proto: str) -> tuple[list[str], str]:
    """`(IJ)V` → (['I', 'J'], 'V'); ValueError names the proto."""
    match = _PROTO.match(proto)
    if not match:
        raise ValueError(f"proto {proto!r} is not of the form '(params)return'")
    params = split_type_list(match.group(1))
    if "V" in params:
        raise ValueError(f"proto {proto!r}: 'V' is not a parameter type")
    ret = split_type_list(match.group(2))
    if len(ret) != 1:
        raise ValueError(f"proto {proto!r}: expected one return type, got {ret}")
    return params, ret[0]


def parse_method_ref(text: str) -> tuple[str, str, str]:
    """`Lpkg/C;->name(I)V` → (class descriptor, name, proto); the proto is required here."""
    cls, sep, rest = text.partition("->")
    paren = rest.find("(")
    if not sep or paren <= 0 or not cls.endswith(";"):
        raise ValueError(f"invoke target {text!r} is not of the form 'Lpkg/Class;->name(params)return'")
    proto = rest[paren:]
    parse_proto(proto)
    return descriptor(cls), rest[:paren], proto


@dataclass(frozen=True, slots=True)
class InvokeSpec:
    """One invoke instruction to emit: full target signature and invoke kind."""

    target: str
    kind: InvokeKind = "virtual"


@dataclass(frozen=True, slots=True)
class MethodSpec:
    """A concrete method; its body loads `strings`, performs `invokes`, then returns."""

    name: str
    proto: str = "()V"
    static: bool = False
    private: bool = False
    invokes: tuple[InvokeSpec, ...] = ()
    strings: tuple[str, ...] = ()
    returns: int | None = None  # constant an int-like method returns (e.g. START_STICKY = 1); default 0


@dataclass(frozen=True, slots=True)
class ClassSpec:
    """A class defined in a DEX file."""

    name: str
    superclass: str | None = "java.lang.Object"
    interfaces: tuple[str, ...] = ()
    methods: tuple[MethodSpec, ...] = ()
    access_flags: int = ACC_PUBLIC


@dataclass(frozen=True, slots=True)
class DexSpec:
    """The classes of one `classes*.dex` file."""

    classes: tuple[ClassSpec, ...] = ()


@dataclass(frozen=True, slots=True)
class DataSpec:
    """An intent-filter `<data>` element."""

    scheme: str | None = None
    host: str | None = None
    path: str | None = None
    mime_type: str | None = None


@dataclass(frozen=True, slots=True)
class IntentFilterSpec:
    """An `<intent-filter>` (also used for `<queries><intent>`)."""

    actions: tuple[str, ...] = ()
    categories: tuple[str, ...] = ()
    data: tuple[DataSpec, ...] = ()
    priority: int | None = None


@dataclass(frozen=True, slots=True)
class ComponentSpec:
    """An activity, service, receiver or provider; `exported=None` leaves the attribute out."""

    kind: ComponentKind
    name: str
    exported: bool | None = None
    intent_filters: tuple[IntentFilterSpec, ...] = ()
    authorities: str | None = None
    permission: str | None = None
    process: str | None = None
    meta_data: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True, slots=True)
class QueriesSpec:
    """The `<queries>` element (Android 11 package visibility)."""

    packages: tuple[str, ...] = ()
    intents: tuple[IntentFilterSpec, ...] = ()
    providers: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class ManifestSpec:
    """What goes into the binary AndroidManifest.xml."""

    package: str
    version_code: int = 1
    version_name: str | None = "1.0"
    min_sdk: int | None = 21
    target_sdk: int | None = 33
    permissions: tuple[str, ...] = ()
    permissions_sdk23: tuple[str, ...] = ()
    application_name: str | None = None
    components: tuple[ComponentSpec, ...] = ()
    meta_data: tuple[tuple[str, str], ...] = ()
    queries: QueriesSpec | None = None


@dataclass(frozen=True)
class ApkSpec:
    """A whole APK: manifest (None forges an APK without one), DEX files, native libs, other files."""

    manifest: ManifestSpec | None
    dex: tuple[DexSpec, ...] = ()
    native_libs: dict[str, tuple[str, ...]] = field(default_factory=dict)
    files: dict[str, bytes] = field(default_factory=dict)
