"""Unit parsing: data volumes, speeds, prices normalised to 元/GB, dates, and the errors they raise."""

from __future__ import annotations

import datetime as dt

import pytest

from ganzhi.collect.tariff.units import (
    UnitError,
    parse_cap_yuan,
    parse_data,
    parse_data_price,
    parse_date,
    parse_money,
    parse_speed_kbps,
    parse_throttle,
    price_units,
)
from ganzhi.evidence.tariff import PriceUnit


@pytest.mark.parametrize(
    ("text", "unit", "yuan_per_gb"),
    [
        ("套外国内流量0.0003元/KB", PriceUnit.PER_KB, 314.5728),
        ("0.29元/MB", PriceUnit.PER_MB, 296.96),
        ("套外流量5元/GB", PriceUnit.PER_GB, 5.0),
        ("3元/1GB", PriceUnit.PER_GB, 3.0),
        ("1元/100MB", PriceUnit.PER_MB, 10.24),
        ("每天前1GB收费10元，后续每500MB收费6元", PriceUnit.DAILY_PACK, 10.0),
        ("5元/天，含1GB", PriceUnit.DAILY_PACK, 5.0),
        ("０．３元／ＭＢ", PriceUnit.PER_MB, 307.2),
    ],
)
def test_data_price_is_normalised_to_yuan_per_gb(text: str, unit: PriceUnit, yuan_per_gb: float) -> None:
    price = parse_data_price(text)
    assert price is not None
    assert price.unit is unit
    assert price.yuan_per_gb == pytest.approx(yuan_per_gb, rel=1e-4)


def test_no_data_price_and_mixed_units() -> None:
    assert parse_data_price("国内语音0.15元/分钟") is None
    assert price_units("0.0003元/KB，满5元/GB") == {"K", "G"}


def test_unlimited_allowance_keeps_its_quota() -> None:
    allowance = parse_data("不限量（20GB达量降速）")
    assert allowance.unlimited
    assert allowance.gb == 20.0
    assert parse_data("500MB").gb == pytest.approx(0.488281)
    assert parse_data("30", header_unit="gb").gb == 30.0


@pytest.mark.parametrize("bad", ["30", "-5GB", "很多", "999999GB"])
def test_bad_data_volumes_raise_with_the_value(bad: str) -> None:
    with pytest.raises(UnitError, match=bad.replace("-", "")):
        parse_data(bad)


def test_throttle_first_step_of_the_109_plan() -> None:
    throttle = parse_throttle("41GB后降速至3.1Mbps，累计101GB后降速至128Kbps，次月恢复")
    assert throttle is not None
    assert throttle.after_gb == 41.0
    assert throttle.kbps == pytest.approx(3100.0)
    assert parse_throttle("次月恢复") is None


def test_money_speed_cap_and_dates() -> None:
    assert parse_money("99元/月") == 99.0
    assert parse_money("免费") == 0.0
    with pytest.raises(UnitError, match="expected an amount"):
        parse_money("九十九")
    with pytest.raises(UnitError, match=">= 0"):
        parse_money("-10元")
    assert parse_speed_kbps("1Mbps") == 1000.0
    assert parse_speed_kbps("300", header_unit="mbps") == 300_000.0
    assert parse_cap_yuan("当月套外流量费封顶600元") == 600.0
    assert parse_date("2021年12月31日", what="上线日期") == dt.date(2021, 12, 31)
    assert parse_date("长期", what="下线日期") is None
    with pytest.raises(UnitError, match="下线日期"):
        parse_date("明年", what="下线日期")
