"""Helpers the T1 tariff checks share: plan labels, name normalisation and numbers named in a plan name."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from ganzhi.evidence.tariff import TariffPlan

_PUNCT = re.compile(r"[\s·•\-—_()（）\[\]【】「」《》<>,，.。:：;；/\\|+＋&'\"“”‘’!！?？]+")
_FEE = re.compile(r"(\d+(?:\.\d+)?)\s*元")
#: A quantity in a plan name: a number and a Latin or Chinese unit ('30GB', '5G', '1000M', '300兆', '129元').
_QUANTITY = re.compile(r"(?<![\d.])(\d+(?:\.\d+)?)\s*(TB|GB|MB|Gbps|Mbps|G|M|T|兆)(?![A-Za-z])", re.IGNORECASE)
#: Words after (or just before) a rate that make it a broadband rate: '1000M光宽带', '宽带300M', '千兆宽带'.
_BROADBAND_AFTER = re.compile(r"\s*(光宽带|宽带|光纤|带宽|家宽|光网|提速|速率)")
_BROADBAND_BEFORE = re.compile(r"(宽带|光纤|带宽|家宽|提速至?|速率)\s*$")
_DATA_AFTER = re.compile(r"\s*(流量|通用|定向|全国|国内|大流量)")
_SPEED_WORDS = {"万兆": 10_000.0, "千兆": 1_000.0, "百兆": 100.0}
#: Network generations written like a volume: '5G畅享套餐' is a 5G plan, not a 5 GB claim.
_GENERATIONS = frozenset({2.0, 3.0, 4.0, 5.0, 6.0})
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
class NameToken:
    """A quantity a plan name states, read with its context: data (GB), broadband rate (Mbit/s) or generation."""

    kind: str  # "data" | "broadband" | "generation" | "unknown"
    value: float
    text: str
    certain: bool = True


def name_tokens(name: str) -> list[NameToken]:
    """The volumes, rates and generations written in a plan name, told apart by unit and neighbouring words.

    'GB/MB/TB' is data; '<n>M'/'<n>兆'/'<n>G' next to 宽带/光纤/提速 (or 'Mbps') is a broadband rate; a bare
    '2G'–'6G' is a network generation unless 流量 follows; a bare 'M' is data only before 流量 and otherwise
    unread (kind "unknown"), so an ambiguous number never becomes a data claim.
    """
    text = unicodedata.normalize("NFKC", name)
    found: list[NameToken] = []
    for match in _QUANTITY.finditer(text):
        value, unit = float(match.group(1)), match.group(2).upper()
        after, before = text[match.end():], text[: match.start()]
        broadband = bool(_BROADBAND_AFTER.match(after) or _BROADBAND_BEFORE.search(before)) or unit in {"MBPS", "GBPS"}
        data_word = bool(_DATA_AFTER.match(after))
        if unit in {"GB", "MB", "TB"}:
            kind, amount = "data", value * {"GB": 1.0, "MB": 1 / 1024, "TB": 1024.0}[unit]
        elif broadband or unit == "兆":
            kind, amount = "broadband", value * (1000.0 if unit in {"G", "GBPS"} else 1.0)
        elif unit == "G" and value in _GENERATIONS:
            if data_word:  # '5G流量包': a 5G-network pack or a 5 GB pack; the name alone cannot tell
                found.append(NameToken("data", value, match.group(0), certain=False))
                continue
            kind, amount = "generation", value
        elif unit in {"G", "T"}:
            kind, amount = "data", value * (1024.0 if unit == "T" else 1.0)
        elif data_word:
            kind, amount = "data", value / 1024
        else:
            kind, amount = "unknown", value
        found.append(NameToken(kind, amount, match.group(0)))
    for word, mbps in _SPEED_WORDS.items():
        if word in text:
            found.append(NameToken("broadband", mbps, word))
    return found


@dataclass(frozen=True, slots=True)
class NameNumber:
    """A number a plan name states and what the plan's content says for the same quantity."""

    quantity: str
    in_name: float
    in_content: float | None
    certain: bool = True


def name_numbers(plan: TariffPlan) -> list[NameNumber]:
    """Fee (元), data (GB), broadband rate (Mbit/s) and minutes stated in the name, paired with the content."""
    name = unicodedata.normalize("NFKC", plan.name)
    found: list[NameNumber] = []
    for match in _FEE.finditer(name):
        found.append(NameNumber("月费（元）", float(match.group(1)), plan.monthly_fee))
    data = plan.services.general_data_gb
    if data is not None and plan.services.directional_data_gb:
        data_total: float | None = data + plan.services.directional_data_gb
    else:
        data_total = data
    quota = plan.throttle.after_gb if plan.throttle and plan.throttle.after_gb else None
    for token in name_tokens(name):
        if token.kind == "broadband":
            found.append(NameNumber("宽带（Mbps）", token.value, plan.services.broadband_mbps))
            continue
        if token.kind != "data":
            continue
        gb = token.value
        content = data if data is not None and abs(gb - data) < 1e-6 else data_total
        if content is not None and abs(gb - content) > 1e-6 and quota is not None:
            content = quota
        found.append(NameNumber("流量（GB）", gb, content, token.certain))
    for match in _MINUTES.finditer(name):
        found.append(NameNumber("通话（分钟）", float(match.group(1)), plan.services.voice_minutes))
    return found
