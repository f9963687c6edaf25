"""Who owns a piece of code: the app itself, a named SDK (by the SDK index's package prefixes), or a
platform / support library (androidx, android.support, kotlin, Material …).

Every 自启动, 关联启动 and before-consent finding carries an owner and an origin, because the 524
action holds the app *and* its SDKs to account and the 第三方共享清单 must name the SDK that does it,
while library code (AppCompat's TwilightManager, AlarmManagerCompat) acts only when the app's or an
SDK's code asks it to: library sites are reported, never counted on their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Literal

from ganzhi.collect.apk.sdk.index import Rule, SdkIndex

APP = "app"
Origin = Literal["app", "sdk", "library"]
#: Package prefixes of platform and support libraries that collect nothing for anyone (configurable
#: default: pass `libraries=` to `Attributor`). The label is what reports show as the owner.
LIBRARY_PREFIXES: dict[str, str] = {
    "androidx.": "AndroidX",
    "android.support.": "Android Support Library",
    "android.arch.": "Android Architecture Components",
    "com.google.android.material.": "Material Components",
    "kotlin.": "Kotlin",
    "kotlinx.": "Kotlin",
    "java.": "Java",
    "javax.": "Java",
    "dalvik.": "Android runtime",
    "org.jetbrains.annotations.": "JetBrains annotations",
    "org.intellij.": "JetBrains annotations",
}


def library_of(name: str, libraries: dict[str, str] | None = None) -> str | None:
    """Label of the library a dotted class name belongs to (None: not a platform/support library)."""
    for prefix, label in (LIBRARY_PREFIXES if libraries is None else libraries).items():
        if name.startswith(prefix):
            return label
    return None


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
    libraries: dict[str, str] | None = None
    _cache: dict[str, tuple[str, str | None]] = field(default_factory=dict)
    _library: dict[str, str | None] = field(default_factory=dict)

    def _pick(self, rules: list[Rule]) -> tuple[str, str | None] | None:
        if not rules:
            return None
        heads = [self.index.head(position) for position, _, _ in rules]
        sdk_id, name, _curated = min(heads, key=lambda h: (not h[2], h[0]))
        return name, sdk_id

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

    def library(self, class_name: str) -> str | None:
        """Library label of a class (dotted or descriptor), None for app or SDK code; the app's own
        namespace is never a library."""
        name = dotted(class_name)
        package = name.rpartition(".")[0]
        if package in self._library:
            return self._library[package]
        own = bool(self.app_package) and (package == self.app_package or package.startswith(self.app_package + "."))
        label = None if own else library_of(name, self.libraries)
        self._library[package] = label
        return label

    def attribute(self, class_name: str) -> tuple[str, str | None, Origin]:
        """(owner, sdk id, origin): a library first (by prefix), else the SDK index, else the app."""
        label = self.library(class_name)
        if label is not None:
            return label, None, "library"
        owner, sdk = self.owner(class_name)
        return owner, sdk, ("app" if sdk is None and owner == APP else "sdk")

    def component_owner(self, name: str) -> tuple[str, str | None]:
        """Owner of a manifest component (component rules first, then the class prefix)."""
        picked = self._pick(self.index.component_rules(name))
        return picked or self.owner(name)
