from __future__ import annotations

from pathlib import Path

from tests.shared_data import shared_path

from ganzhi.collect.apk.permissions import load_permission_table


def test_shared_tables_mark_dangerous_and_pi_rows() -> None:
    table = load_permission_table(shared_path("apk").parent)
    assert table.sources[0].startswith("aosp_permissions_36")
    fine = table.classify("android.permission.ACCESS_FINE_LOCATION")
    assert fine.sensitive and fine.group == "LOCATION" and fine.pi_category == "个人位置信息"
    assert table.classify("android.permission.QUERY_ALL_PACKAGES").sensitive  # normal level, but PI (app list)
    assert not table.classify("android.permission.INTERNET").sensitive


def test_fallback_tables_when_shared_data_is_absent(tmp_path: Path) -> None:
    table = load_permission_table(tmp_path)
    assert table.sources == ("ganzhi fallback protection levels", "ganzhi fallback PI map")
    contacts = table.classify("android.permission.READ_CONTACTS")
    assert contacts.sensitive and contacts.protection_level == "dangerous" and contacts.pi_category == "联系人信息"
    assert not table.classify("android.permission.VIBRATE").sensitive
