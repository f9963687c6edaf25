"""Name handling shared by the loaders, the merge and the matcher.

Prefixes match on whole package segments: `com.umeng` covers `com.umeng.X` and `com.umeng$X` but
never `com.umengx.X`. This is the guard against the generic-prefix false positives Exodus users
reported (a `com.dv` signature hitting an unrelated app).
"""

from __future__ import annotations

import re
import unicodedata

MIN_PREFIX_SEGMENTS = 2

_PLAIN_DOTTED = re.compile(r"[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*")
# "literal.(.*)" or "literal(.*)" regex rules (LibChecker) are plain prefixes in disguise.
_PREFIX_REGEX = re.compile(r"^(?P<lit>[A-Za-z_$][\w$]*(?:\\?\.[A-Za-z_$][\w$]*)*)(?:\\?\.)?\(\.\*\)\$?$")
_PROXY_SUFFIX = re.compile(r"\s*[(（][^)）]*proxy[^)）]*[)）]\s*$", re.IGNORECASE)
_LABEL_NOISE = re.compile(r"[\s\-_/.,:;()（）\[\]'\"+·]+")


def to_dotted(name: str) -> str:
    """A class name in dotted form, from a DEX descriptor (`[Lcom/a/B;`), slashed or dotted name."""
    name = name.strip()
    if name.endswith(";"):
        name = name.lstrip("[")
        if name.startswith("L"):
            name = name[1:-1]
    if "/" in name:
        name = name.replace("/", ".")
    return name


def is_plain_dotted(text: str) -> bool:
    """True for a dotted Java name without regex syntax (`com.umeng.analytics`)."""
    return _PLAIN_DOTTED.fullmatch(text) is not None


def segment_count(prefix: str) -> int:
    """Number of package segments in a dotted prefix."""
    return prefix.count(".") + 1 if prefix else 0


def is_specific_prefix(prefix: str) -> bool:
    """A prefix is specific enough to attribute code when it has at least two segments."""
    return is_plain_dotted(prefix) and segment_count(prefix) >= MIN_PREFIX_SEGMENTS


def is_under(name: str, prefix: str) -> bool:
    """True when `name` is `prefix` itself or lies inside it (segment or inner-class boundary)."""
    if not name.startswith(prefix):
        return False
    rest = name[len(prefix) :]
    return rest == "" or rest[0] in ".$"


def regex_to_prefix(pattern: str) -> str | None:
    """The dotted prefix a `com.foo.(.*)` style regex stands for, or None for a real regex."""
    found = _PREFIX_REGEX.match(pattern.strip())
    if found is None:
        return None
    return found.group("lit").replace("\\.", ".")


def strip_proxy(label: str) -> str:
    """`MiPush(JPush Proxy)` → `MiPush`: the channel SDK integrated through another push SDK."""
    return _PROXY_SUFFIX.sub("", label).strip()


def label_key(label: str) -> str:
    """A comparison key for SDK names across sources: width-folded, case-folded, no punctuation."""
    text = unicodedata.normalize("NFKC", label).casefold()
    text = _LABEL_NOISE.sub("", text)
    for noise in ("sdk", "android"):
        if text.endswith(noise) and len(text) > len(noise):
            text = text[: -len(noise)]
    return text


def slug(label: str) -> str:
    """A stable id fragment for an external SDK label (keeps CJK characters, drops punctuation)."""
    text = unicodedata.normalize("NFKC", label).casefold().strip()
    text = re.sub(r"[^\w]+", "-", text).strip("-")
    return text or "unnamed"


def lib_basename(path: str) -> str:
    """`lib/arm64-v8a/libjpush.so` → `libjpush.so`."""
    return path.rsplit("/", 1)[-1].strip()
