"""Helpers the T1 tariff checks share: plan labels, name normalisation and numbers named in a plan name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ganzhi.evidence.tariff import TariffPlan

_PUNCT = re.compile(r"[\s·•\-—_()（）\[\]【】「」《》<>,，.。:：;；/\\|+＋&'\"“”‘’!！?？]+")
_FEE = re.compile(r"(\d+(?:\.\d+)?)\s*元")
_DATA = re.compile(r"(\d+(?:\.\d+)?)\s*(GB|G|MB|M)(?![a-z])", re.IGNORECASE)
_MINUTES = re.compile(r"(\d+)\s*分钟")
SAMPLE_LIMIT = 20


def label(plan: TariffPlan) -> str:
    """'名称（编号）' for messages."""
    return f"{plan.name}（{plan.plan_id}）"


def sample(items: list[str], limit: int = SAMPLE_LIMIT) -> list[str]:
    """At most `limit` items, sorted, so outcome data stays readable and stable."""
    return sorted(items)[:limit]


def normalise_name(name: str) -> str:
    """NFKC, lower case, without spaces and punctuation: '天翼 不限量（99元）' → '天翼不限量99元'."""
    return _PUNCT.sub("", unicodedata.normalize("NFKC", name)).lower()


def digits_of(name: str) -> tuple[str, ...]:
    """The numbers written in a name, in order."""
    return tuple(re.findall(r"\d+(?:\.\d+)?", unicodedata.normalize("NFKC", name)))


def content_key(plan: TariffPlan) -> tuple[object, ...]:
    """What a plan gives for its fee; two plans with equal keys offer the same content."""
    s = plan.services
    return (plan.monthly_fee, s.voice_minutes, s.general_data_gb, s.directional_data_gb, s.sms, s.broadband_mbps,
            s.unlimited_data)  # fmt: skip


@dataclass(frozen=True, slots=True)
class NameNumber:
    """A number a plan name states and what the plan's content says for the same quantity."""

    quantity: str
    in_name: float
    in_content: float | None


def name_numbers(plan: TariffPlan) -> list[NameNumber]:
    """Fee (元), data (GB) and minutes stated in the name, paired with the parsed content."""
    name = unicodedata.normalize("NFKC", plan.name)
    found: list[NameNumber] = []
    for match in _FEE.finditer(name):
        found.append(NameNumber("月费（元）", float(match.group(1)), plan.monthly_fee))
    data = plan.services.general_data_gb
    if data is not None and plan.services.directional_data_gb:
        data_total: float | None = data + plan.services.directional_data_gb
    else:
        data_total = data
    for match in _DATA.finditer(name):
        gb = float(match.group(1)) / (1024 if match.group(2).upper().startswith("M") else 1)
        quota = plan.throttle.after_gb if plan.throttle and plan.throttle.after_gb else None
        content = data if data is not None and abs(gb - data) < 1e-6 else data_total
        if content is not None and abs(gb - content) > 1e-6 and quota is not None:
            content = quota
        found.append(NameNumber("流量（GB）", gb, content))
    for match in _MINUTES.finditer(name):
        found.append(NameNumber("通话（分钟）", float(match.group(1)), plan.services.voice_minutes))
    return found
