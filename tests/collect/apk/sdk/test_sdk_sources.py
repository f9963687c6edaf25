"""Loaders of the shared signature sets, the merge, the China-table-only fallback and the index cache."""

from __future__ import annotations

from pathlib import Path

import pytest

from ganzhi.collect.apk.sdk import EXODUS_ATTRIBUTION, build_index, load_index
from ganzhi.collect.apk.sdk.build import cache_key
from ganzhi.collect.apk.sdk.exodus import load_exodus
from ganzhi.collect.apk.sdk.libchecker import load_libchecker
from ganzhi.collect.apk.sdk.libradar import load_libradar
from shared_data import shared_path


@pytest.mark.shared_data
def test_exodus_loads_432_trackers_with_attribution() -> None:
    loaded = load_exodus(shared_path("apk", "signatures", "exodus", "exodus_trackers.json"))
    assert loaded.record_count == 432
    assert loaded.errors == []
    assert 420 <= len(loaded.groups) <= 428  # trackers with a usable code signature
    assert loaded.attribution == EXODUS_ATTRIBUTION
    assert "ODbL" in EXODUS_ATTRIBUTION
    jpush = next(g for g in loaded.groups if "JPush" in g.name)
    assert jpush.signatures.exodus_prefixes == ["cn.jpush.android"]
    assert any(g.signatures.exodus_patterns for g in loaded.groups)  # e.g. '.LigatusManager'


@pytest.mark.shared_data
def test_libchecker_loads_1789_rules_with_vendor_team() -> None:
    folder = shared_path("apk", "signatures", "libchecker-rules")
    loaded = load_libchecker(folder / "rules_table.csv", folder / "component_rules_consolidated.json")
    assert loaded.record_count == 1789
    assert loaded.errors == []
    groups = {g.name: g for g in loaded.groups}
    assert len(groups) == 618
    assert "cn.jpush.android.service.PushService" in groups["极光推送"].signatures.components
    assert groups["极光推送"].vendor == "极光"
    assert "com.xiaomi.push" in groups["MiPush"].signatures.class_prefixes
    assert "com.bytedance.sdk.openadsdk" in groups["Pangle SDK"].signatures.class_prefixes  # "x.(.*)" regex rule


@pytest.mark.shared_data
def test_libradar_loads_772_rows() -> None:
    loaded = load_libradar(shared_path("apk", "signatures", "libradar", "tag_rules.csv"))
    assert loaded.record_count == 772
    assert loaded.errors == []
    prefixes = {p for g in loaded.groups for p in g.signatures.class_prefixes}
    assert len(prefixes) == 506  # 509 named rows; 3 prefixes appear twice (e.g. Lcom/baidu/mapapi/)
    assert "com.igexin" in prefixes


def test_malformed_rows_become_error_records(tmp_path: Path) -> None:
    rules = tmp_path / "rules_table.csv"
    rules.write_text(
        "_id,name,label,type,iconIndex,isRegexRule,regexName\n"
        "1,libjcore.so,极光推送,0,1,0,\n"
        "2,com.foo.Bar,Foo,seven,1,0,\n"
        "3,lib(.so,Broken,0,1,1,x\n"
        "4,com.foo.Svc,Foo,9,1,0,\n",
        encoding="utf-8",
    )
    loaded = load_libchecker(rules)
    assert loaded.record_count == 4
    assert [g.name for g in loaded.groups] == ["极光推送"]
    assert len(loaded.errors) == 3
    assert "line 3: field 'type' expected an integer 0..6, got 'seven'" in loaded.errors[0]
    assert "line 4" in loaded.errors[1]
    assert "line 5: field 'type' expected 0..6, got 9" in loaded.errors[2]


def test_unreadable_exodus_file_is_an_error_record(tmp_path: Path) -> None:
    bad = tmp_path / "exodus_trackers.json"
    bad.write_text('{"trackers": [1, 2', encoding="utf-8")
    loaded = load_exodus(bad)
    assert loaded.groups == []
    assert "invalid JSON at line 1" in loaded.errors[0]
    assert load_exodus(tmp_path / "missing.json").errors[0].startswith(str(tmp_path / "missing.json"))


def test_missing_shared_data_falls_back_to_china_table(tmp_path: Path) -> None:
    index = build_index(tmp_path / "no-such-dir")
    assert index.sources_loaded == ("china_table",)
    assert any("China table alone" in error for error in index.source_errors)
    assert len(index.entries) >= 60
    assert build_index(None).sources_loaded == ("china_table",)


@pytest.mark.shared_data
def test_merge_dedupes_every_signature() -> None:
    index = build_index(shared_path("apk", "signatures"))
    assert index.sources_loaded == ("china_table", "libchecker", "libradar", "exodus")
    assert index.record_counts["exodus"] == 432
    assert index.record_counts["libchecker"] == 1789
    assert index.record_counts["libradar"] == 772
    seen: dict[tuple[str, str], str] = {}
    for entry in index.entries:
        sig = entry.signatures
        for family, values in (
            ("prefix", [*sig.class_prefixes, *sig.exodus_prefixes]),
            ("component", sig.components),
            ("native", sig.native_libs),
            ("meta", sig.meta_data),
        ):
            for value in values:
                owner = seen.setdefault((family, value), entry.id)
                assert owner == entry.id, f"{family} {value!r} owned by {owner} and {entry.id}"
    ids = [entry.id for entry in index.entries]
    assert len(ids) == len(set(ids))
    assert ids[:71] == [entry.id for entry in build_index(None).entries]  # our table first, in order
    platform = [p for e in index.entries for p in e.signatures.class_prefixes if p.startswith(("androidx.", "kotlin."))]
    assert platform == []
    umeng = index.entry("umeng_analytics")
    assert {"libradar", "exodus"} <= set(umeng.sources)
    assert index.entry("getui").sources[0] == "china_table"


@pytest.mark.shared_data
def test_index_is_cached_on_disk_and_rebuilt_when_corrupt(tmp_path: Path) -> None:
    signatures = shared_path("apk", "signatures")
    cache_dir = tmp_path / "cache"
    first = load_index(signatures, cache_dir)
    (cache_file,) = cache_dir.glob("sdk-index-*.json")
    assert cache_key(signatures)[:24] in cache_file.name
    assert load_index(signatures, cache_dir) is first  # memoised in-process

    from ganzhi.collect.apk.sdk import build as build_module

    build_module._INDEXES.clear()
    reread = load_index(signatures, cache_dir)
    assert [e.id for e in reread.entries] == [e.id for e in first.entries]
    assert reread.sources_loaded == first.sources_loaded

    build_module._INDEXES.clear()
    cache_file.write_text("{not json", encoding="utf-8")
    rebuilt = load_index(signatures, cache_dir)
    assert len(rebuilt.entries) == len(first.entries)
    assert cache_file.read_text(encoding="utf-8").startswith("{")
    build_module._INDEXES.clear()


@pytest.mark.shared_data
def test_cached_index_is_compact_and_equal_to_the_built_one(tmp_path: Path) -> None:
    from ganzhi.collect.apk.sdk import build as build_module
    from ganzhi.collect.apk.sdk.index import SdkIndex

    signatures = shared_path("apk", "signatures")
    built = build_index(signatures)
    cache_dir = tmp_path / "cache"
    build_module._INDEXES.clear()
    load_index(signatures, cache_dir)  # builds and writes the cache
    build_module._INDEXES.clear()
    cached = load_index(signatures, cache_dir)
    build_module._INDEXES.clear()
    assert not isinstance(cached.entries, tuple)  # compact: models are built on access only
    assert len(cached.entries) == len(built.entries)
    for position in (0, 1, len(built.entries) // 2, len(built.entries) - 1):
        assert cached.entries[position] == built.entries[position]
        assert cached.head(position) == (
            built.entries[position].id,
            built.entries[position].name,
            built.entries[position].curated,
        )
    assert cached.entries[-1] == built.entries[-1]
    assert [e.id for e in cached.entries] == [e.id for e in built.entries]
    assert cached.entry("umeng_analytics") == built.entry("umeng_analytics")
    assert cached.package_rules("com.umeng.analytics") == built.package_rules("com.umeng.analytics")
    assert isinstance(cached, SdkIndex)
