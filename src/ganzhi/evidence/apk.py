"""`apk_static` evidence: what static analysis of one APK found (manifest, signers, DEX, API calls).

JSON-friendly pydantic models; written once by `ganzhi.collect.apk.reader`, read by the T6/T7/T11
checks (permissions, 自启动 receivers, 关联启动 calls, PI APIs, SDK inventory inputs).
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from ganzhi.evidence.base import evidence_kind

ComponentKind = Literal["activity", "activity-alias", "service", "receiver", "provider"]
#: Whose code a site is: the app's, a named SDK's, or a platform/support library's (reported, never counted alone).
Origin = Literal["app", "sdk", "library"]
#: What makes a start happen: a user's action (tap, menu), a background event, or not known statically.
Trigger = Literal["user", "background", "unknown"]


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class IntentData(_Model):
    """One `<data>` element of an intent filter."""

    scheme: str | None = None
    host: str | None = None
    port: str | None = None
    path: str | None = None
    path_prefix: str | None = None
    path_pattern: str | None = None
    mime_type: str | None = None


class IntentFilter(_Model):
    """An `<intent-filter>` (or a `<queries><intent>`)."""

    actions: list[str] = Field(default_factory=list)
    categories: list[str] = Field(default_factory=list)
    data: list[IntentData] = Field(default_factory=list)
    priority: int | None = None


class Component(_Model):
    """A manifest component with its effective exported flag.

    `exported` is what Android applies: the declared value, else the implicit default (true when
    the component has intent filters and targetSdk < 31; providers: true when targetSdk < 17).
    `exported_declared` is the attribute as written (None when absent).
    """

    kind: ComponentKind
    name: str
    exported: bool
    exported_declared: bool | None = None
    enabled: bool = True
    permission: str | None = None
    process: str | None = None
    target_activity: str | None = None
    authorities: list[str] = Field(default_factory=list)
    intent_filters: list[IntentFilter] = Field(default_factory=list)
    meta_data: dict[str, str] = Field(default_factory=dict)


class UsesPermission(_Model):
    """A requested permission (`uses-permission` or `uses-permission-sdk-23`)."""

    name: str
    max_sdk: int | None = None
    sdk23_only: bool = False


class Queries(_Model):
    """`<queries>`: the other apps this app declares it wants to see (Android 11+)."""

    packages: list[str] = Field(default_factory=list)
    intents: list[IntentFilter] = Field(default_factory=list)
    providers: list[str] = Field(default_factory=list)


class Signer(_Model):
    """One signing certificate, identified by the SHA-256 of its DER encoding."""

    scheme: Literal["v1", "v2", "v3", "v3.1"]
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    source: str


class DexStats(_Model):
    """Size and table counts of one DEX entry."""

    name: str
    size: int
    version: str
    classes: int
    methods: int
    strings: int
    types: int


class ApiCall(_Model):
    """Calls to one API from one method (`count` invoke instructions); `owner` is "app", an SDK or a library name.

    `permissions` are those any one of which the API needs (empty: none or unknown); `reachable` is False
    when the app declares none of them for its targetSdk, so the call cannot return the data.
    """

    api: str
    caller_class: str
    caller_method: str
    count: int = 1
    dex: str
    owner: str = "app"
    sdk_id: str | None = None
    origin: Origin = "app"
    pi_category: str | None = None
    family: str | None = Field(default=None, description="pi | start | schedule (the target table's family)")
    permissions: list[str] = Field(default_factory=list)
    reachable: bool = True


class PermissionInfo(_Model):
    """A requested permission with its Android protection level and the PI it gives access to."""

    name: str
    protection_level: str | None = None
    sensitive: bool = False
    group: str | None = None
    pi_category: str | None = Field(default=None, description="GB/T 35273 category, e.g. 个人位置信息")
    pi_description: str | None = Field(default=None, description="TC260 wording of the PI reachable")
    pi_code: str | None = None


SdkPresence = Literal["code", "stub", "declared"]


class SdkRef(_Model):
    """An SDK found in the APK (condensed from the SDK inventory for evidence and reports).

    `presence`: "code" when enough of its classes are in the DEX, "stub" when only a handful are, "declared"
    when only manifest entries, native libraries or meta-data name it (no SDK code behind them); stub and
    declared SDKs have low confidence and do not count in T7's list cross-check.
    """

    id: str
    name: str
    vendor: str | None = None
    category: str
    confidence: Literal["high", "medium", "low"]
    matched_by: list[str] = Field(default_factory=list, description="kind:value of each signature that fired")
    purpose: str | None = None
    pi_collected: list[str] = Field(default_factory=list)
    privacy_policy_url: str | None = None
    presence: SdkPresence = "code"
    classes: int = Field(default=0, ge=0, description="DEX classes under the SDK's code signatures")
    version: str | None = Field(default=None, description="version string the SDK's code states, when found")


SelfStartKind = Literal[
    "system_event_receiver", "job_service", "sync_adapter", "account_authenticator", "scheduler_call", "sticky_service"
]
AssociatedStartKind = Literal[
    "launch_intent", "explicit_intent", "foreign_service", "foreign_provider", "push_wakeup", "queries"
]


class SelfStart(_Model):
    """One way the app (or an SDK in it) can start itself without the user (自启动)."""

    kind: SelfStartKind
    component: str = Field(description="manifest component or calling class (dotted)")
    actions: list[str] = Field(default_factory=list)
    api: str | None = None
    caller_method: str | None = None
    owner: str = "app"
    sdk_id: str | None = None
    origin: Origin = "app"
    triggers: list[str] = Field(
        default_factory=list, description="what wakes it: boot, package_replaced, connectivity, push_wakeup, alarm …"
    )


class AssociatedStart(_Model):
    """One way the app (or an SDK) can start, bind or wake another app (关联启动).

    `trigger` says whether a user's action starts it (a click/menu/dialog handler: not 关联启动) or a
    background event (receiver, service, Application start, alarm, push); `trigger_detail` names the handler.
    """

    kind: AssociatedStartKind
    caller_class: str
    caller_method: str | None = None
    api: str | None = None
    targets: list[str] = Field(default_factory=list, description="other apps' packages/authorities/actions seen")
    owner: str = "app"
    sdk_id: str | None = None
    origin: Origin = "app"
    trigger: Trigger = "unknown"
    trigger_detail: str | None = None


PreConsentEntry = Literal["application", "provider", "boot_receiver", "launcher_activity"]


class PreConsentCall(_Model):
    """A PI API reachable from code that runs before any UI (static risk, not proof).

    `owner`/`origin` are who the path counts against: the caller's owner, or — when a library makes the
    call — the last app or SDK method that asked the library for it (`via_library` names the library);
    a path through library code alone has origin "library". `reachable` is False when the app declares
    none of `permissions`, so the API cannot return the data (reported as unreachable, not as collection).
    """

    entry: str = Field(description="entry method `Lpkg/C;->name(proto)`")
    entry_kind: PreConsentEntry
    api: str
    pi_category: str
    path: list[str] = Field(description="methods from the entry to the caller, in call order")
    caller_class: str
    owner: str = "app"
    sdk_id: str | None = None
    origin: Origin = "app"
    via_library: str | None = None
    permissions: list[str] = Field(default_factory=list, description="any one of these lets the API return data")
    reachable: bool = True


class PackerHit(_Model):
    """A packer (加固) found: code is encrypted, so static DEX results are incomplete."""

    id: str
    name: str
    vendor: str | None = None
    matched: list[str] = Field(default_factory=list)


@evidence_kind("apk_static")
class ApkStatic(_Model):
    """Static facts about one APK file."""

    package: str
    version_name: str | None = None
    version_code: int | None = None
    min_sdk: int | None = None
    target_sdk: int | None = None
    application_class: str | None = None
    sha256: str = Field(pattern=r"^[0-9a-f]{64}$")
    size: int = Field(ge=0)
    dex_bytes: int = Field(default=0, ge=0)
    permissions: list[UsesPermission] = Field(default_factory=list)
    components: list[Component] = Field(default_factory=list)
    launcher_activities: list[str] = Field(default_factory=list)
    queries: Queries = Field(default_factory=Queries)
    meta_data: dict[str, str] = Field(default_factory=dict)
    native_libs: dict[str, list[str]] = Field(default_factory=dict)
    signers: list[Signer] = Field(default_factory=list)
    dex: list[DexStats] = Field(default_factory=list)
    packages: dict[str, int] = Field(default_factory=dict, description="Java package → classes defined in it")
    api_calls: list[ApiCall] = Field(default_factory=list)
    permission_info: list[PermissionInfo] = Field(default_factory=list)
    sdks: list[SdkRef] = Field(default_factory=list)
    self_start: list[SelfStart] = Field(default_factory=list)
    associated_start: list[AssociatedStart] = Field(default_factory=list)
    pre_consent: list[PreConsentCall] = Field(default_factory=list)
    packers: list[PackerHit] = Field(default_factory=list)
    analyses: list[str] = Field(
        default_factory=list, description="analyses that ran (permissions, sdks, self_start, ...): empty ≠ none found"
    )
    anomalies: list[str] = Field(default_factory=list, description="tampering indicators seen while parsing")
    irregularities: list[str] = Field(
        default_factory=list,
        description="build oddities (a permission requested twice, implicit exports at targetSdk ≥ 31): sloppy "
        "builds that fool no parser, so not tampering",
    )
    problems: list[str] = Field(default_factory=list, description="parts that could not be read")
    unreadable_code: list[str] = Field(
        default_factory=list,
        description="code entries (DEX, native .so) that could not be read: the code analyses are incomplete",
    )

    @property
    def code_complete(self) -> bool:
        """Whether every code entry was read (False: results that depend on code may miss findings)."""
        return not self.unreadable_code

    def permission_names(self) -> list[str]:
        """Requested permission names, in manifest order."""
        return [p.name for p in self.permissions]

    def components_of(self, kind: ComponentKind) -> list[Component]:
        """Components of one kind."""
        return [c for c in self.components if c.kind == kind]


class TraceCall(_Model):
    """One PI API call seen on a device, with its stack (innermost frame first)."""

    at: dt.datetime
    api: str
    stack: list[str] = Field(default_factory=list)
    pi_category: str | None = None
    owner: str = "app"
    sdk_id: str | None = None
    before_consent: bool | None = Field(default=None, description="None when the consent time is unknown")
    line: int | None = None


@evidence_kind("apk_trace")
class ApkTrace(_Model):
    """A dynamic trace of PI API calls of one app run, with the moment the user consented (if any)."""

    package: str
    source: str
    consent_at: dt.datetime | None = None
    consent_given: bool = Field(default=False, description="a consent event was recorded in the trace")
    started_at: dt.datetime | None = None
    calls: list[TraceCall] = Field(default_factory=list)
    problems: list[str] = Field(default_factory=list)
