"""Our curated China SDK table: coverage of the SDKs the 524 inspections meet, and strict validation."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from ganzhi.collect.apk.sdk.china_table import CHINA_TABLE_PATH, load_china_table
from ganzhi.collect.apk.sdk.vocab import CATEGORY_LABELS, PI_CATEGORIES
from ganzhi.errors import InputError
from shared_data import shared_path

REQUIRED_IDS = {
    # push
    "jpush",
    "getui",
    "umeng_push",
    "hms_push",
    "xiaomi_push",
    "oppo_push",
    "vivo_push",
    "meizu_push",
    "honor_push",
    "aliyun_push",
    "tencent_tpns",
    # analytics
    "umeng_analytics",
    "talkingdata",
    "sensors_analytics",
    "growingio",
    "baidu_mobstat",
    "tencent_mta",
    "tencent_beacon",
    "thinkingdata",
    "zhugeio",
    # ads
    "pangle",
    "tencent_gdt",
    "baidu_mobads",
    "kuaishou_ads",
    "sigmob",
    "jd_ads",
    # maps / location
    "amap_map",
    "amap_location",
    "baidu_map",
    "baidu_location",
    "tencent_map",
    "tencent_location",
    # payment
    "alipay",
    "wechat_pay",
    "unionpay",
    "jd_pay",
    # share / login
    "wechat_opensdk",
    "qq_connect",
    "weibo_sdk",
    "sharesdk",
    "umeng_share",
    "douyin_opensdk",
    "cmcc_auth",
    "cucc_auth",
    "ctcc_auth",
    "aliyun_number_auth",
    # crash, OAID, IM/RTC, face, speech, hot fix, customer service
    "bugly",
    "umeng_apm",
    "aliyun_emas_apm",
    "msa_oaid",
    "easemob",
    "rongcloud",
    "netease_yunxin",
    "agora",
    "tencent_im",
    "tencent_trtc",
    "megvii_faceid",
    "iflytek",
    "tinker",
    "sophix",
    "qiyu",
}


def test_table_has_the_required_sdks_with_complete_fields() -> None:
    table = load_china_table()
    ids = {entry.id for entry in table.entries}
    assert len(table.entries) >= 60
    assert ids >= REQUIRED_IDS, sorted(REQUIRED_IDS - ids)
    for entry in table.entries:
        assert entry.vendor, entry.id
        assert entry.purpose, entry.id
        assert entry.pi, entry.id
        assert entry.category in CATEGORY_LABELS
        assert set(entry.pi) <= set(PI_CATEGORIES)
        assert entry.curated
        if entry.privacy_policy_url is not None:
            assert entry.privacy_policy_url.startswith("https://"), entry.id
    assert sum(entry.privacy_policy_url is not None for entry in table.entries) >= 25
    assert any("privacy_policy_url" in entry.uncertain for entry in table.entries)
    assert "androidx" in table.not_data_prefixes
    assert "kotlin" in table.not_data_prefixes


def test_table_header_records_its_basis() -> None:
    header = CHINA_TABLE_PATH.read_text(encoding="utf-8").split("schema_version", 1)[0]
    assert "public SDK documentation" in header
    assert "uncertain" in header


@pytest.mark.shared_data
def test_pi_categories_match_gbt35273_vocabulary() -> None:
    vocab = json.loads(shared_path("policy", "vocab", "gbt35273_2020_pi_categories.json").read_text(encoding="utf-8"))
    standard = [row["category"] for row in vocab["table_A1_personal_information"]]
    assert tuple(standard) == PI_CATEGORIES


def _write_table(tmp_path: Path, entry: str) -> Path:
    path = tmp_path / "table.yaml"
    path.write_text("schema_version: 1\nsdks:\n" + entry, encoding="utf-8")
    return path


GOOD = """  - id: demo
    name: 演示
    vendor: 演示公司
    category: push
    purpose: 推送
    pi: {个人常用设备信息: [设备型号]}
    privacy_policy_url: https://example.com/privacy
    signatures: {class_prefixes: [com.demo.push]}
"""


def test_a_valid_minimal_table_loads(tmp_path: Path) -> None:
    table = load_china_table(_write_table(tmp_path, GOOD))
    assert [entry.id for entry in table.entries] == ["demo"]
    assert table.not_data_prefixes == ()


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (("category: push", "category: pushy"), "field 'category': expected one of"),
        (("个人常用设备信息", "设备"), "field 'pi': expected GB/T 35273"),
        (("com.demo.push", "demo"), "expected a dotted name of ≥2 segments, got 'demo'"),
        (
            ("https://example.com/privacy", "example.com"),
            "field 'privacy_policy_url': expected an http(s) URL",
        ),
        (
            ("    vendor: 演示公司\n", "    vendor: 演示公司\n    colour: red\n"),
            "unknown field(s) ['colour']",
        ),
        (("{class_prefixes: [com.demo.push]}", "{}"), "expected at least one signature"),
        (("{class_prefixes: [com.demo.push]}", "{native_lib_patterns: ['lib(']}"), "invalid regex"),
    ],
)
def test_invalid_entries_name_the_entry_field_and_value(tmp_path: Path, change: tuple[str, str], message: str) -> None:
    path = _write_table(tmp_path, GOOD.replace(*change))
    with pytest.raises(InputError) as raised:
        load_china_table(path)
    assert "sdks[0] (id='demo')" in str(raised.value)
    assert message in str(raised.value)


def test_duplicate_signatures_are_rejected(tmp_path: Path) -> None:
    path = _write_table(tmp_path, GOOD + GOOD.replace("id: demo", "id: demo_two"))
    with pytest.raises(InputError, match="claimed by both 'demo' and 'demo_two'"):
        load_china_table(path)


def test_unreadable_table_names_the_file(tmp_path: Path) -> None:
    path = tmp_path / "broken.yaml"
    path.write_text("sdks: [\n", encoding="utf-8")
    with pytest.raises(InputError, match=r"broken\.yaml"):
        load_china_table(path)
