"""Collection specs as data: one YAML file per site or site family, validated with pydantic.

A regulator adds a site by writing a spec, not code::

    name: cmcc-tariff-bj                    # unique id, used in the frontier and in `crawl diff`
    title: 中国移动北京资费专区
    enterprise: china_mobile
    seeds: ["https://www.example.cn/tariff/"]
    allowed_hosts: [www.example.cn]
    schedule: {every: 7d}
    rules:
      - name: zone
        match: "/tariff/$"                   # regex searched in the URL
        kind: tariff_table
        render: true                         # the table arrives by XHR: render in Chromium
        wait_for: "table.plans tr td"
        subject: {type: tariff_catalogue, id: china_mobile-beijing}
        options: {operator: 中国移动, region: 北京}
        follow:
          - {css: "a.next", to: zone}        # pagination

`${NAME}` in any string is replaced by the environment variable NAME (an unset one is an error naming it),
so test specs can point at a replica on a port chosen at run time. Errors name the file and the field.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path
from typing import Any, Literal, get_args
from urllib.parse import urlsplit

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ganzhi.errors import InputError

#: Largest spec file read (a spec is a few kilobytes; configurable default).
MAX_SPEC_BYTES = 256 * 1024
#: Most specs read from one directory.
MAX_SPECS = 1_000

Kind = Literal[
    "page",
    "tariff_table",
    "policy",
    "policy_summary",
    "pi_list",
    "netdisk_tiers",
    "hall_list",
    "hotline_page",
    "store_listing",
]
KINDS: tuple[str, ...] = get_args(Kind)

_NAME = re.compile(r"^[a-z0-9][a-z0-9_.-]{0,63}$")
_ENV = re.compile(r"\$\{([A-Z_][A-Z0-9_]*)\}")
_EVERY = re.compile(r"^\s*(\d+)\s*([mhd])\s*$")
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(B|KB|MB|GB)?\s*$", re.IGNORECASE)
_UNITS = {"B": 1, "KB": 1024, "MB": 1024**2, "GB": 1024**3}


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


def _regex(value: str, what: str) -> str:
    try:
        re.compile(value)
    except re.error as exc:
        raise ValueError(f"{what}: not a valid regular expression ({exc}): {value!r}") from None
    return value


class Follow(_Model):
    """Which links of a page to follow: exactly one of css / xpath / text / url, and the rule they lead to.

    `css` and `xpath` select `<a>` elements (or attribute values) whose href is followed; `text` is a regex on
    the link text (e.g. "摘要|个人信息收集清单"); `url` is a regex on the absolute link URL.
    """

    css: str | None = None
    xpath: str | None = None
    text: str | None = None
    url: str | None = None
    to: str | None = Field(default=None, description="rule of the linked pages (default: the first rule that matches)")
    max_links: int = Field(default=500, ge=1, le=100_000)

    @model_validator(mode="after")
    def _one_selector(self) -> Follow:
        given = [name for name in ("css", "xpath", "text", "url") if getattr(self, name)]
        if len(given) != 1:
            raise ValueError(f"give exactly one of css, xpath, text, url (got {given or 'none'})")
        for name in ("text", "url"):
            value = getattr(self, name)
            if value:
                _regex(value, name)
        return self


class SubjectTemplate(_Model):
    """The subject evidence of a rule is about; `{field}` placeholders are filled from extracted fields."""

    type: str = Field(pattern=r"^[a-z][a-z0-9_]*$")
    id: str = Field(min_length=1, max_length=512)
    name: str | None = None
    enterprise: str | None = None


class Rule(_Model):
    """How pages that match `match` are fetched, which links they lead to and what evidence they become."""

    name: str = Field(pattern=_NAME.pattern)
    match: str | None = Field(default=None, description="regex searched in the page URL")
    kind: Kind = "page"
    render: bool = Field(default=False, description="render in Chromium (tables or lists built by JavaScript)")
    wait_for: str | None = Field(default=None, description="CSS selector to wait for when rendering")
    timeout_s: float | None = Field(default=None, gt=0, le=600, description="per request; default: limits.timeout_s")
    subject: SubjectTemplate | None = None
    fields: dict[str, str] = Field(
        default_factory=dict, description="field → CSS (`::text`, `::attr(href)`) or XPath (starts with / or ()"
    )
    options: dict[str, str] = Field(default_factory=dict)
    follow: list[Follow] = Field(default_factory=list, max_length=50)

    @field_validator("match")
    @classmethod
    def _match_regex(cls, value: str | None) -> str | None:
        return _regex(value, "match") if value else value

    @model_validator(mode="after")
    def _evidence_needs_subject(self) -> Rule:
        if self.kind != "page" and self.subject is None:
            raise ValueError(f"subject: rule of kind {self.kind!r} needs a subject (type, id)")
        return self


class Seed(_Model):
    """A start URL, optionally bound to a rule."""

    url: str
    rule: str | None = None


class Schedule(_Model):
    """How often the site is collected: `every: 7d` (units m, h, d)."""

    every: str = "7d"

    @field_validator("every")
    @classmethod
    def _every(cls, value: str) -> str:
        if not _EVERY.match(value):
            raise ValueError(f"expected a number and a unit m, h or d such as '7d' or '12h' (got {value!r})")
        return value

    @property
    def interval(self) -> dt.timedelta:
        """The interval between collections."""
        match = _EVERY.match(self.every)
        assert match is not None
        n, unit = int(match.group(1)), match.group(2)
        return {"m": dt.timedelta(minutes=n), "h": dt.timedelta(hours=n), "d": dt.timedelta(days=n)}[unit]

    def due(self, last: dt.datetime | None, now: dt.datetime) -> bool:
        """True when the site was never collected or its interval has passed."""
        return last is None or now - last >= self.interval


def parse_size(value: int | str) -> int:
    """`10MB` / `512KB` / `1048576` → bytes."""
    if isinstance(value, int):
        if value < 0:
            raise ValueError(f"a size must be >= 0 (got {value})")
        return value
    match = _SIZE.match(str(value))
    if not match:
        raise ValueError(f"expected a size such as 10MB, 512KB or a number of bytes (got {value!r})")
    return int(float(match.group(1)) * _UNITS[(match.group(2) or "B").upper()])


class Limits(_Model):
    """Bounds of one site's collection (configurable defaults)."""

    max_pages: int = Field(default=2_000, ge=1, le=1_000_000)
    max_depth: int = Field(default=8, ge=0, le=1_000)
    max_response_bytes: int = Field(default=10 * 1024 * 1024, ge=1024)
    timeout_s: float = Field(default=30, gt=0, le=600, description="per request (download or render)")
    max_seconds: float = Field(default=3_600, gt=0, le=7 * 86_400, description="whole site collection")
    max_redirects: int = Field(default=5, ge=0, le=20)

    @field_validator("max_response_bytes", mode="before")
    @classmethod
    def _size(cls, value: int | str) -> int:
        return parse_size(value)


class Politeness(_Model):
    """How gently a host is fetched (configurable defaults)."""

    obey_robots: bool = True
    delay_s: float = Field(default=2.0, ge=0, le=600, description="least time between two requests to a host")
    concurrency_per_host: int = Field(default=2, ge=1, le=32)
    autothrottle: bool = True
    retries: int = Field(default=3, ge=0, le=10)
    backoff_s: float = Field(default=1.0, ge=0, le=300, description="first retry waits this long, then doubles")
    http_cache: bool = True


class CrawlSpec(_Model):
    """One site (or site family) to collect."""

    name: str = Field(pattern=_NAME.pattern)
    title: str = ""
    enterprise: str | None = None
    seeds: list[Seed] = Field(min_length=1, max_length=1_000)
    allowed_hosts: list[str] = Field(min_length=1, max_length=100)
    allow_private: bool = Field(default=False, description="let loopback/private addresses through (tests, labs)")
    user_agent: str | None = None
    schedule: Schedule = Field(default_factory=Schedule)
    limits: Limits = Field(default_factory=Limits)
    politeness: Politeness = Field(default_factory=Politeness)
    rules: list[Rule] = Field(min_length=1, max_length=200)

    @field_validator("seeds", mode="before")
    @classmethod
    def _seed_strings(cls, value: Any) -> Any:
        if isinstance(value, list):
            return [{"url": item} if isinstance(item, str) else item for item in value]
        return value

    @field_validator("allowed_hosts")
    @classmethod
    def _hosts(cls, value: list[str]) -> list[str]:
        return [host.strip().lower().rstrip(".") for host in value if host.strip()]

    @model_validator(mode="after")
    def _references(self) -> CrawlSpec:
        names = [rule.name for rule in self.rules]
        if len(set(names)) != len(names):
            raise ValueError(f"rules: rule names must be unique (got {names})")
        for i, seed in enumerate(self.seeds):
            parts = urlsplit(seed.url)
            if parts.scheme not in ("http", "https") or not parts.hostname:
                raise ValueError(f"seeds.{i}.url: expected an http(s) URL (got {seed.url!r})")
            if not self.host_allowed(parts.hostname):
                raise ValueError(f"seeds.{i}.url: host {parts.hostname!r} is not in allowed_hosts {self.allowed_hosts}")
            if seed.rule is not None and seed.rule not in names:
                raise ValueError(f"seeds.{i}.rule: unknown rule {seed.rule!r}; rules are {names}")
        for rule in self.rules:
            for j, follow in enumerate(rule.follow):
                if follow.to is not None and follow.to not in names:
                    raise ValueError(f"rules.{rule.name}.follow.{j}.to: unknown rule {follow.to!r}; rules are {names}")
        return self

    def host_allowed(self, host: str) -> bool:
        """True when `host` is an allowed host or a subdomain of one written as `.example.cn`."""
        host = host.lower().rstrip(".")
        for allowed in self.allowed_hosts:
            if allowed.startswith("."):
                if host == allowed[1:] or host.endswith(allowed):
                    return True
            elif host == allowed:
                return True
        return False

    def rule(self, name: str) -> Rule:
        """The rule called `name` (KeyError names the spec when there is none)."""
        for rule in self.rules:
            if rule.name == name:
                return rule
        raise KeyError(f"spec {self.name}: no rule {name!r}")

    def rule_for(self, url: str) -> Rule | None:
        """The first rule whose `match` is found in `url`, or None."""
        for rule in self.rules:
            if rule.match and re.search(rule.match, url):
                return rule
        return None

    def seed_rule(self, seed: Seed) -> Rule | None:
        """The rule of a seed: its own, or the first matching one, or the first rule."""
        if seed.rule:
            return self.rule(seed.rule)
        return self.rule_for(seed.url) or self.rules[0]


def _expand(value: Any, source: str, path: str, environ: dict[str, str]) -> Any:
    """Replace `${NAME}` in every string by the environment variable NAME."""
    if isinstance(value, str):

        def replace(match: re.Match[str]) -> str:
            name = match.group(1)
            if name not in environ:
                raise InputError(source, f"{path or '<root>'}: environment variable {name} is not set")
            return environ[name]

        return _ENV.sub(replace, value)
    if isinstance(value, list):
        return [_expand(v, source, f"{path}.{i}" if path else str(i), environ) for i, v in enumerate(value)]
    if isinstance(value, dict):
        return {k: _expand(v, source, f"{path}.{k}" if path else str(k), environ) for k, v in value.items()}
    return value


def _problems(exc: ValidationError) -> str:
    return "; ".join(
        f"{'.'.join(str(p) for p in err['loc']) or '<root>'}: {err['msg']}" for err in exc.errors(include_url=False)
    )


def parse_spec(text: str, source: str, environ: dict[str, str] | None = None) -> CrawlSpec:
    """Parse one spec; InputError names `source` and every field at fault."""
    try:
        raw = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(source, f"not valid YAML: {exc}") from None
    if not isinstance(raw, dict):
        raise InputError(source, f"expected a mapping at the top level (got {type(raw).__name__})")
    raw = _expand(raw, source, "", dict(os.environ) if environ is None else environ)
    try:
        return CrawlSpec.model_validate(raw)
    except ValidationError as exc:
        raise InputError(source, _problems(exc)) from None


def load_spec(path: Path, environ: dict[str, str] | None = None) -> CrawlSpec:
    """Read and validate the spec file at `path`."""
    try:
        size = path.stat().st_size
        if size > MAX_SPEC_BYTES:
            raise InputError(str(path), f"{size} bytes; a spec may have at most {MAX_SPEC_BYTES}")
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    except UnicodeDecodeError as exc:
        raise InputError(str(path), f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    return parse_spec(text, str(path), environ)


def spec_files(paths: list[Path]) -> list[Path]:
    """Spec files named directly, plus every `*.yaml`/`*.yml` in named directories (sorted, bounded)."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir() if p.suffix in (".yaml", ".yml") and p.is_file()))
        else:
            found.append(path)
        if len(found) > MAX_SPECS:
            raise InputError(str(path), f"more than {MAX_SPECS} spec files")
    return found


def load_specs(paths: list[Path], environ: dict[str, str] | None = None) -> list[CrawlSpec]:
    """Every spec under `paths`; duplicate names are an error naming both files."""
    specs: list[CrawlSpec] = []
    seen: dict[str, Path] = {}
    for path in spec_files(paths):
        spec = load_spec(path, environ)
        if spec.name in seen:
            raise InputError(str(path), f"name: spec name {spec.name!r} is already used by {seen[spec.name]}")
        seen[spec.name] = path
        specs.append(spec)
    return specs
