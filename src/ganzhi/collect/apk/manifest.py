"""Turn a parsed AndroidManifest element tree into the typed manifest facts of `apk_static`.

Applies Android's own rules: short class names (`.Foo`, `Foo`) resolve against the package;
`exported` defaults to "has intent filters" below targetSdk 31 (providers: true below 17);
`uses-permission-sdk-23` counts as a permission; duplicates are reported once.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ganzhi.collect.apk.axml import AttrValue, XmlElement, parse_axml
from ganzhi.collect.apk.binary import FormatError
from ganzhi.errors import InputError
from ganzhi.evidence.apk import Component, ComponentKind, IntentData, IntentFilter, Queries, UsesPermission

COMPONENT_TAGS: dict[str, ComponentKind] = {
    "activity": "activity",
    "activity-alias": "activity-alias",
    "service": "service",
    "receiver": "receiver",
    "provider": "provider",
}
ACTION_MAIN = "android.intent.action.MAIN"
CATEGORY_LAUNCHER = "android.intent.category.LAUNCHER"
IMPLICIT_EXPORT_MAX_TARGET = 31
PROVIDER_EXPORT_MAX_TARGET = 17


@dataclass
class ManifestFacts:
    """Everything the manifest says, plus what was odd about it.

    `anomalies` are tricks that make analysers read something else than Android does (two
    `<application>` elements: Android reads the first); `irregularities` are sloppy builds that
    Android tolerates or refuses outright but that fool no parser (a permission requested twice).
    """

    package: str
    version_name: str | None = None
    version_code: int | None = None
    min_sdk: int | None = None
    target_sdk: int | None = None
    application_class: str | None = None
    permissions: list[UsesPermission] = field(default_factory=list)
    components: list[Component] = field(default_factory=list)
    launcher_activities: list[str] = field(default_factory=list)
    queries: Queries = field(default_factory=Queries)
    meta_data: dict[str, str] = field(default_factory=dict)
    anomalies: list[str] = field(default_factory=list)
    irregularities: list[str] = field(default_factory=list)


def resolve_class_name(package: str, name: str) -> str:
    """`.Foo` → `pkg.Foo`; `Foo` (no dot) → `pkg.Foo`; fully qualified names are kept."""
    name = name.strip()
    if name.startswith("."):
        return package + name
    if "." not in name and package:
        return f"{package}.{name}"
    return name


def _as_int(value: AttrValue | None) -> int | None:
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().lstrip("-").isdigit():
        return int(value.strip())
    return None


def _as_bool(value: AttrValue | None) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, int):
        return value != 0
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    return None


def _text(value: AttrValue | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _intent_filter(el: XmlElement) -> IntentFilter:
    data = []
    for d in el.iter("data"):
        data.append(
            IntentData(
                scheme=d.text("scheme"),
                host=d.text("host"),
                port=d.text("port"),
                path=d.text("path"),
                path_prefix=d.text("pathPrefix"),
                path_pattern=d.text("pathPattern"),
                mime_type=d.text("mimeType"),
            )
        )
    return IntentFilter(
        actions=[a for a in (x.text("name") for x in el.iter("action")) if a],
        categories=[c for c in (x.text("name") for x in el.iter("category")) if c],
        data=data,
        priority=_as_int(el.get("priority")),
    )


def _meta_data(el: XmlElement) -> dict[str, str]:
    out: dict[str, str] = {}
    for m in el.iter("meta-data"):
        name = m.text("name")
        if name:
            out[name] = _text(m.get("value")) or _text(m.get("resource")) or ""
    return out


def _component(el: XmlElement, kind: ComponentKind, package: str, target_sdk: int, facts: ManifestFacts) -> Component:
    raw_name = el.text("name") or ""
    name = resolve_class_name(package, raw_name) if raw_name else ""
    filters = [_intent_filter(f) for f in el.iter("intent-filter")]
    declared = _as_bool(el.get("exported"))
    if declared is not None:
        exported = declared
    elif kind == "provider":
        exported = target_sdk < PROVIDER_EXPORT_MAX_TARGET
    elif filters and target_sdk >= IMPLICIT_EXPORT_MAX_TARGET:
        exported = False
        facts.irregularities.append(
            f"{kind} {name} has intent filters but no android:exported with targetSdk "
            f"{target_sdk} ≥ 31 (Android refuses to install such an APK)"
        )
    else:
        exported = bool(filters)
    authorities = [a.strip() for a in (el.text("authorities") or "").split(";") if a.strip()]
    target = el.text("targetActivity")
    return Component(
        kind=kind,
        name=name,
        exported=exported,
        exported_declared=declared,
        enabled=_as_bool(el.get("enabled")) is not False,
        permission=el.text("permission"),
        process=el.text("process"),
        target_activity=resolve_class_name(package, target) if target else None,
        authorities=authorities,
        intent_filters=filters,
        meta_data=_meta_data(el),
    )


def _queries(elements: list[XmlElement]) -> Queries:
    packages: list[str] = []
    intents: list[IntentFilter] = []
    providers: list[str] = []
    for q in elements:
        packages += [p for p in (x.text("name") for x in q.iter("package")) if p]
        intents += [_intent_filter(i) for i in q.iter("intent")]
        for prov in q.iter("provider"):
            providers += [a.strip() for a in (prov.text("authorities") or "").split(";") if a.strip()]
    return Queries(packages=packages, intents=intents, providers=providers)


def manifest_facts(root: XmlElement) -> ManifestFacts:
    """Extract the manifest facts from the `<manifest>` root element."""
    package = _text(root.plain.get("package")) or _text(root.attrs.get("package")) or ""
    facts = ManifestFacts(package=package)
    if root.tag != "manifest":
        facts.anomalies.append(f"root element is <{root.tag}>, expected <manifest>")
    facts.version_code = _as_int(root.get("versionCode"))
    facts.version_name = _text(root.get("versionName"))
    for sdk in root.iter("uses-sdk")[:1]:
        facts.min_sdk = _as_int(sdk.get("minSdkVersion"))
        facts.target_sdk = _as_int(sdk.get("targetSdkVersion"))
    target = facts.target_sdk or facts.min_sdk or 1
    seen: set[str] = set()
    for el in root.children:
        if el.tag in ("uses-permission", "uses-permission-sdk-23", "uses-permission-sdk-m"):
            name = el.text("name")
            if not name:
                continue
            if name in seen:
                facts.irregularities.append(f"permission {name} is requested more than once")
                continue
            seen.add(name)
            facts.permissions.append(
                UsesPermission(
                    name=name,
                    max_sdk=_as_int(el.get("maxSdkVersion")),
                    sdk23_only=el.tag != "uses-permission",
                )
            )
    facts.queries = _queries(root.iter("queries"))
    apps = root.iter("application")
    if len(apps) > 1:
        facts.anomalies.append(f"{len(apps)} <application> elements; Android reads only the first")
    for app in apps[:1]:
        app_name = app.text("name")
        facts.application_class = resolve_class_name(package, app_name) if app_name else None
        facts.meta_data = _meta_data(app)
        for el in app.children:
            kind = COMPONENT_TAGS.get(el.tag)
            if kind is not None:
                facts.components.append(_component(el, kind, package, target, facts))
    facts.launcher_activities = [
        c.name
        for c in facts.components
        if c.kind in ("activity", "activity-alias")
        and c.enabled
        and any(ACTION_MAIN in f.actions and CATEGORY_LAUNCHER in f.categories for f in c.intent_filters)
    ]
    return facts


def read_manifest(data: bytes, source: str, *, max_nodes: int = 500_000) -> ManifestFacts:
    """Parse binary AndroidManifest.xml bytes; malformed input is an `InputError` naming `source`."""
    try:
        root = parse_axml(data, max_nodes=max_nodes)
    except FormatError as exc:
        raise InputError(source, f"binary XML is malformed: {exc}") from None
    facts = manifest_facts(root)
    if not facts.package:
        raise InputError(source, "the <manifest> element has no package attribute")
    return facts
