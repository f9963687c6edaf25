"""Data shapes of the SDK inventory: the facts we match, the index entries, and the matches we report.

The matcher takes plain facts (`SdkFacts`) rather than a parsed APK so it does not depend on the
APK/DEX reader and can be fed from any source (a DEX scan, a build file, a dynamic trace).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

ComponentKind = Literal["activity", "activity-alias", "service", "receiver", "provider"]
MatchKind = Literal["class_prefix", "component", "native_lib", "meta_data", "provider_authority", "exodus_regex"]
Confidence = Literal["high", "medium", "low"]

SOURCE_CHINA_TABLE = "china_table"
SOURCE_LIBCHECKER = "libchecker"
SOURCE_LIBRADAR = "libradar"
SOURCE_EXODUS = "exodus"


@dataclass(frozen=True, slots=True)
class SdkFacts:
    """What an APK shows about its embedded code, in plain strings.

    `class_names` may be dotted (`com.umeng.analytics.MobclickAgent`) or DEX descriptors
    (`Lcom/umeng/analytics/MobclickAgent;`); `native_libs` are file names or APK paths of `.so` files.
    """

    class_names: Sequence[str] = ()
    components: Sequence[tuple[ComponentKind, str]] = ()
    native_libs: Sequence[str] = ()
    meta_data_keys: Sequence[str] = ()
    provider_authorities: Sequence[str] = field(default_factory=tuple)


class Signatures(BaseModel):
    """Every way an SDK shows itself in an APK; one list per signature type."""

    model_config = ConfigDict(extra="forbid")

    class_prefixes: list[str] = Field(default_factory=list)
    components: list[str] = Field(default_factory=list)
    component_suffixes: list[str] = Field(default_factory=list)
    component_patterns: list[str] = Field(default_factory=list)
    native_libs: list[str] = Field(default_factory=list)
    native_lib_patterns: list[str] = Field(default_factory=list)
    meta_data: list[str] = Field(default_factory=list)
    meta_data_shared: list[str] = Field(default_factory=list)
    authority_suffixes: list[str] = Field(default_factory=list)
    exodus_prefixes: list[str] = Field(default_factory=list)
    exodus_patterns: list[str] = Field(default_factory=list)

    def is_empty(self) -> bool:
        """True when no signature of any type is present (such an entry can never match)."""
        return not any(getattr(self, name) for name in type(self).model_fields if name != "meta_data_shared")


class SdkEntry(BaseModel):
    """One SDK of the merged index, with the fields the 第三方共享清单 needs."""

    model_config = ConfigDict(extra="forbid")

    id: str = Field(min_length=1)
    name: str = Field(min_length=1)
    name_en: str | None = None
    aliases: list[str] = Field(default_factory=list)
    vendor: str | None = None
    category: str = "unknown"
    purpose: str | None = None
    pi: dict[str, list[str]] = Field(default_factory=dict)
    privacy_policy_url: str | None = None
    uncertain: list[str] = Field(default_factory=list)
    website: str | None = None
    curated: bool = False
    sources: list[str] = Field(default_factory=list)
    signatures: Signatures = Field(default_factory=Signatures)


class MatchEvidence(BaseModel):
    """One signature that fired: its kind, the signature value and how often / where it matched."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    kind: MatchKind
    value: str
    count: int = Field(default=1, ge=1)
    examples: list[str] = Field(default_factory=list)


class SdkMatch(BaseModel):
    """An SDK found in an app, ready for the 第三方共享清单.

    Columns served: SDK名称, 提供方 (vendor), 用途 (purpose), 个人信息 (pi_collected), 隐私政策链接.
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    id: str
    name: str
    name_en: str | None = None
    vendor: str | None = None
    category: str
    purpose: str | None = None
    pi_collected: dict[str, list[str]] = Field(default_factory=dict)
    privacy_policy_url: str | None = None
    uncertain_fields: list[str] = Field(default_factory=list)
    matched_by: list[MatchEvidence]
    confidence: Confidence
    sources: list[str]
    curated: bool = False


class SdkInventory(BaseModel):
    """All matches of one app plus which signature sets were available when matching."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    matches: list[SdkMatch]
    sources_loaded: list[str]
    source_errors: list[str] = Field(default_factory=list)
    attributions: list[str] = Field(default_factory=list)
