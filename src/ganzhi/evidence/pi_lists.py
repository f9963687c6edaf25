"""`pi_list` evidence: a parsed 已收集个人信息清单 or 与第三方共享个人信息清单 (T6/T7).

Rows keep canonical column roles (`pi_types`, `purpose`, `scenario`, `method`, `third_party`...) and the
header each role was read from, so a finding can quote the list as published.
"""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import evidence_kind

ListKind = Literal["collected", "shared"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ListRow(_Model):
    """One row: cell text by column role, plus the row number in the source (1 = first data row)."""

    row: int = Field(ge=1)
    cells: dict[str, str] = Field(default_factory=dict)
    pi_categories: list[str] = Field(default_factory=list, description="canonical PI categories of the PI cell")


@evidence_kind("pi_list")
class PiList(_Model):
    """One of the two lists, as parsed from its page or file."""

    kind: ListKind
    source: str
    title: str | None = None
    headers: dict[str, str] = Field(default_factory=dict, description="column role → header text as published")
    unmatched_headers: list[str] = Field(default_factory=list)
    rows: list[ListRow] = Field(default_factory=list)
    menu_level: int | None = Field(default=None, ge=1, description="menu depth where the list was found, if known")
    problems: list[str] = Field(default_factory=list, description="parse problems (merged cells, missing headers)")
    rejected_rows: list[int] = Field(
        default_factory=list, description="data rows not taken (no cell under a known column), each named in problems"
    )


class AppPiSource(_Model):
    """One way the app reaches a PI category: a permission or an API call, attributed to an SDK when known."""

    category: str
    via: str
    kind: Literal["permission", "api"]
    sdk: str | None = None
    sensitive_permission: bool = False


class AppSdk(_Model):
    """An SDK found in the APK (from the SDK inventory)."""

    id: str
    name: str
    aliases: list[str] = Field(default_factory=list)
    vendor: str | None = None
    package_prefixes: list[str] = Field(default_factory=list)


@evidence_kind("app_pi_facts")
class AppPiFacts(_Model):
    """What the APK shows about personal information: PI categories reached and embedded SDKs.

    Derived from `apk_static` (permissions, API call sites) and the SDK inventory by
    `ganzhi.collect.lists.apk_facts`; the T6/T7 cross-checks compare it with the lists and the policy.
    """

    package: str
    sources: list[AppPiSource] = Field(default_factory=list)
    sdks: list[AppSdk] = Field(default_factory=list)

    def categories(self) -> set[str]:
        """Every PI category the app reaches."""
        return {s.category for s in self.sources}
