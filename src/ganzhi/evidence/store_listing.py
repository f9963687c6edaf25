"""`store_listing` evidence: an app as an app store lists it (T11 distribution chain, 通报 list columns).

The fields are those a 通报 names (应用名称, 应用开发者, 应用版本, 应用来源) plus what a regulator follows up:
the update date, the permissions the listing declares, the privacy-policy link and the APK download link
(recorded, not downloaded: an APK goes through `ganzhi scan`). The crawler (`collect/crawl`) collects it;
the model imports nothing else of ganzhi, like every evidence model.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import evidence_kind

SUBJECT_TYPE = "app"
MAX_TEXT = 2_000


@evidence_kind("store_listing")
class StoreListing(BaseModel):
    """One app's page in one store, as published on the day it was collected."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    store: str = Field(min_length=1, max_length=200)
    url: str = Field(min_length=1, max_length=MAX_TEXT)
    app_name: str | None = Field(default=None, max_length=MAX_TEXT)
    developer: str | None = Field(default=None, max_length=MAX_TEXT)
    package: str | None = Field(default=None, max_length=MAX_TEXT)
    version: str | None = Field(default=None, max_length=MAX_TEXT)
    updated: str | None = Field(default=None, max_length=MAX_TEXT, description="update date as the store shows it")
    permissions: list[str] = Field(default_factory=list, max_length=500)
    policy_url: str | None = Field(default=None, max_length=MAX_TEXT)
    apk_url: str | None = Field(default=None, max_length=MAX_TEXT)
    extra: dict[str, str] = Field(default_factory=dict, description="other fields the spec extracts")
    missing: list[str] = Field(default_factory=list, description="fields the spec asked for and the page lacked")
