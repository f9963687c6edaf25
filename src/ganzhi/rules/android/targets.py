"""What a start target string read from an app's code can be: its own code, a platform service, not a
package at all, or another app — and how sure that reading is.

Why: a static reader sees the const-strings of the method that builds an intent, not the intent itself.
Action names (`com.xiaomi.mipush.ERROR`), extra keys (`gcm.n.title`), the app's own classes and services
(`com.xiaomi.push.service.XMPushService` in an app embedding MiPush) and the phone's own push and
account services (Google Play services, HMS Core, the vendors' push daemons) are not other apps, and
calling them 关联启动 would put a wrong FAIL in a 通报. Only a string that is another app's package name
with a top-level domain as its first label is firm enough to FAIL on; other package-like strings are
reported for a person to check.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Literal

TargetKind = Literal["other_app", "maybe_other_app", "platform", "own", "not_a_package"]

_DOTTED = re.compile(r"^[A-Za-z][A-Za-z0-9_]*(\.[A-Za-z_][A-Za-z0-9_]*)+$")
#: A last label in capitals (`ERROR`, `MESSAGING_EVENT`, `TOKEN_REQUEST`): a constant, action or extra key.
_CONSTANT = re.compile(r"^[A-Z][A-Z0-9_]+$")
#: First labels of reverse-domain package names (generic and common country TLDs).
_TLDS = frozenset(
    {
        "com",
        "cn",
        "net",
        "org",
        "io",
        "me",
        "tv",
        "cc",
        "co",
        "app",
        "top",
        "edu",
        "gov",
        "info",
        "biz",
        "mobi",
        "xyz",
        "vip",
        "club",
        "site",
        "online",
        "tech",
        "ai",
        "hk",
        "tw",
        "jp",
        "kr",
        "uk",
        "de",
        "fr",
        "ru",
        "in",
        "us",
        "sg",
    }
)


def under(text: str, namespaces: Iterable[str]) -> bool:
    """True when `text` is one of `namespaces` or a name inside one (`com.huawei.hwid.core` in `com.huawei.hwid`)."""
    return any(text == n or text.startswith(n + ".") for n in namespaces)


@dataclass(frozen=True, slots=True)
class AppCode:
    """The app's package and the Java packages its DEX defines, indexed once for every target of a scan.

    One-label packages (obfuscated `a`, `b`) are left out: they say nothing about names under them.
    """

    package: str
    packages: frozenset[str]
    heads: frozenset[str] = field(default=frozenset())

    @classmethod
    def of(cls, package: str, code_packages: Iterable[str]) -> AppCode:
        codes = frozenset(c for c in code_packages if "." in c)
        heads = frozenset(".".join(c.split(".")[:3]) for c in codes if c.count(".") >= 2)
        return cls(package, codes, heads)

    def owns(self, text: str, labels: list[str]) -> bool:
        """The app's own namespace, a class of its own code or a name built under one of its code packages."""
        if under(text, (self.package,)):
            return True
        return any(".".join(labels[:k]) in self.packages for k in range(2, len(labels)))

    def inside_sdk_namespace(self, labels: list[str]) -> bool:
        """A name deeper than three labels that shares its first three with the app's code
        (`com.xiaomi.push.timer` beside `com.xiaomi.push.service`) is more likely a name inside an embedded SDK
        than another app."""
        return len(labels) > 3 and ".".join(labels[:3]) in self.heads


def classify(text: str, app: AppCode, platform: Iterable[str]) -> TargetKind:
    """What the target string `text` read from the app's code is."""
    if len(text) > 200 or not _DOTTED.match(text):
        return "not_a_package"
    labels = text.split(".")
    if _CONSTANT.match(labels[-1]) or text.startswith(("android.", "java.", "javax.", "dalvik.", "kotlin.")):
        return "not_a_package"
    if under(text, platform):
        return "platform"
    if app.owns(text, labels):
        return "own"
    if labels[0].lower() in _TLDS and not labels[-1][:1].isupper() and not app.inside_sdk_namespace(labels):
        return "other_app"
    return "maybe_other_app"


def classify_all(targets: Iterable[str], app: AppCode, platform: Iterable[str]) -> dict[TargetKind, list[str]]:
    """Targets grouped by kind (kinds with no target are absent)."""
    kept = list(platform)
    out: dict[TargetKind, list[str]] = {}
    for text in targets:
        out.setdefault(classify(text, app, kept), []).append(text)
    return out
