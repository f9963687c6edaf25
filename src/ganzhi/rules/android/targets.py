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
from collections.abc import Iterable, Mapping
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
        "",
    }
)


def _labels(text: str) -> list[str]:
    return text.split(".")


def _own(text: str, package: str, code_packages: Iterable[str]) -> bool:
    """The app's own namespace, a class of its own code or a name built under one of its code packages."""
    if text == package or text.startswith(package + "."):
        return True
    parent = text.rpartition(".")[0]
    for code in code_packages:
        if code.count(".") < 1:
            continue  # a one-label package (obfuscated `a`, `b`) says nothing about names under it
        if text.startswith(code + ".") or parent == code:
            return True
    return False


def _inside_sdk_namespace(labels: list[str], codes: list[str]) -> bool:
    """A name deeper than three labels that shares its first three with the app's code (`com.xiaomi.push.timer`
    beside `com.xiaomi.push.service`) is more likely a name inside an embedded SDK than another app."""
    if len(labels) <= 3:
        return False
    head = ".".join(labels[:3])
    return any(code == head or code.startswith(head + ".") for code in codes)


def classify(text: str, package: str, code_packages: Iterable[str], platform: Iterable[str]) -> TargetKind:
    """What the target string `text` read from the app `package` (whose DEX defines `code_packages`) is."""
    codes = list(code_packages)
    if len(text) > 200 or not _DOTTED.match(text):
        return "not_a_package"
    labels = _labels(text)
    if _CONSTANT.match(labels[-1]) or text.startswith(("android.", "java.", "javax.", "dalvik.", "kotlin.")):
        return "not_a_package"
    if any(text == p or text.startswith(p + ".") for p in platform):
        return "platform"
    if _own(text, package, codes):
        return "own"
    if labels[0].lower() in _TLDS and not labels[-1][:1].isupper() and not _inside_sdk_namespace(labels, codes):
        return "other_app"
    return "maybe_other_app"


def classify_all(
    targets: Iterable[str], package: str, code_packages: Mapping[str, int] | Iterable[str], platform: Iterable[str]
) -> dict[TargetKind, list[str]]:
    """Targets grouped by kind (kinds with no target are absent)."""
    codes = list(code_packages)
    kept = list(platform)
    out: dict[TargetKind, list[str]] = {}
    for text in targets:
        out.setdefault(classify(text, package, codes, kept), []).append(text)
    return out
