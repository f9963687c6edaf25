"""Who owns a piece of code: the app itself or a named SDK (by the SDK index's package prefixes).

Every 自启动, 关联启动 and before-consent finding carries an owner, because the 524 action holds
the app *and* its SDKs to account and the 第三方共享清单 must name the SDK that does it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from ganzhi.collect.apk.sdk.index import Rule, SdkIndex

APP = "app"


def dotted(name: str) -> str:
    """`La/b/C;` → `a.b.C`; dotted names pass through."""
    if name.startswith("L") and name.endswith(";"):
        return name[1:-1].replace("/", ".")
    return name


@dataclass
class Attributor:
    """Maps class names to (owner, sdk id); caches per package (code clusters by package)."""

    index: SdkIndex
    app_package: str = ""
    _cache: dict[str, tuple[str, str | None]] = field(default_factory=dict)

    def _pick(self, rules: list[Rule]) -> tuple[str, str | None] | None:
        if not rules:
            return None
        entries = [self.index.entries[position] for position, _, _ in rules]
        entries.sort(key=lambda e: (not e.curated, e.id))
        return entries[0].name, entries[0].id

    def owner(self, class_name: str) -> tuple[str, str | None]:
        """("app", None) or (SDK name, SDK id) for a class (dotted or descriptor)."""
        name = dotted(class_name)
        package, _, simple = name.rpartition(".")
        by_class = self.index.class_level(package)
        if by_class is not None:
            picked = self._pick(by_class.get(simple.split("$", 1)[0], []))
            if picked:
                return picked
        cached = self._cache.get(package)
        if cached is not None:
            return cached
        result: tuple[str, str | None] = (APP, None)
        app_own = bool(self.app_package) and (package == self.app_package or package.startswith(self.app_package + "."))
        if not app_own:
            result = self._pick(self.index.package_rules(package)) or result
        self._cache[package] = result
        return result

    def component_owner(self, name: str) -> tuple[str, str | None]:
        """Owner of a manifest component (component rules first, then the class prefix)."""
        picked = self._pick(self.index.component_rules(name))
        return picked or self.owner(name)
