"""The derived API table is cached on disk, keyed by its inputs' hashes, and rebuilt when they change."""

from __future__ import annotations

import json
from pathlib import Path

from ganzhi.collect.apk.api_table import MAPPINGS_DIR, build_api_table, cache_key, load_api_table

LOCATION = "Landroid/location/LocationManager;-getLastKnownLocation-(Ljava/lang/String;)Landroid/location/Location;"
CONTACTS = (
    "Landroid/accounts/AccountManager;-getAccountsByTypeForPackage-(Ljava/lang/String;)[Landroid/accounts/Account;"
)


def _data_dir(tmp: Path, mapping: dict[str, list[str]]) -> Path:
    folder = tmp.joinpath("data", *MAPPINGS_DIR)
    folder.mkdir(parents=True)
    (folder / "api_permission_mappings_21.json").write_text(json.dumps(mapping), encoding="utf-8")
    return tmp / "data"


def test_table_is_cached_and_read_back_equal(tmp_path: Path) -> None:
    data = _data_dir(tmp_path, {LOCATION: ["android.permission.ACCESS_FINE_LOCATION"]})
    cache = tmp_path / "cache"
    built = load_api_table(data, cache)
    (cached_file,) = cache.glob("api-table-*.json")
    assert cache_key(data)[:24] in cached_file.name
    again = load_api_table(data, cache)
    assert again.rows == built.rows == build_api_table(data).rows
    assert again.sources == built.sources
    assert ("Landroid/location/LocationManager;", "getLastKnownLocation") in again.rows


def test_a_changed_mapping_gets_a_new_key_and_table(tmp_path: Path) -> None:
    data = _data_dir(tmp_path, {LOCATION: ["android.permission.ACCESS_FINE_LOCATION"]})
    cache = tmp_path / "cache"
    before = cache_key(data)
    load_api_table(data, cache)
    mapping = data.joinpath(*MAPPINGS_DIR, "api_permission_mappings_21.json")
    mapping.write_text(json.dumps({CONTACTS: ["android.permission.GET_ACCOUNTS"]}), encoding="utf-8")
    assert cache_key(data) != before
    table = load_api_table(data, cache)
    assert ("Landroid/accounts/AccountManager;", "getAccountsByTypeForPackage") in table.rows
    assert len(list(cache.glob("api-table-*.json"))) == 2


def test_a_corrupt_or_foreign_cache_file_is_rebuilt(tmp_path: Path) -> None:
    data = _data_dir(tmp_path, {LOCATION: ["android.permission.ACCESS_FINE_LOCATION"]})
    cache = tmp_path / "cache"
    expected = load_api_table(data, cache).rows
    (cached_file,) = cache.glob("api-table-*.json")
    for text in ("{not json", json.dumps({"format": "other", "key": cache_key(data), "rows": []})):
        cached_file.write_text(text, encoding="utf-8")
        assert load_api_table(data, cache).rows == expected
        assert json.loads(cached_file.read_text(encoding="utf-8"))["format"].startswith("ganzhi-api-table/")
