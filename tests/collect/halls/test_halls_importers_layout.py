"""Hall registry import (bad rows, centroid placement), nearest search vs brute force, layout metrics."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pytest
from openpyxl import Workbook

from ganzhi.collect.halls.importers import import_halls
from ganzhi.collect.halls.layout import measure_layout
from ganzhi.collect.halls.spatial import NearestIndex, brute_force_nearest
from ganzhi.rules.regions.census import CENSUS_TOTAL, province_populations
from ganzhi.rules.regions.divisions import Divisions, default_divisions, parse_divisions

HEADER = "id,operator,name,address,adcode,lat,lon,port_out,port_in,opened_on\n"
ROWS = [
    "h1,中国移动,朝阳营业厅,朝阳路1号,110105,39.92,116.44,是,是,2021-12-01",
    "h2,联通,海淀营业厅,,110108000000,,,1,0,2022-01-05",  # no coordinates -> county centroid
    "h1,电信,重复编号,,110105,39.9,116.4,是,否,",  # duplicate id
    "h4,中国电信,坐标在海外,,110105,48.85,2.35,是,否,",  # Paris
    "h5,中国电信,错误区划,,999999,39.9,116.4,是,否,",  # unknown adcode
    "h6,中国电信,只有纬度,,110105,39.9,,是,否,",
    "h7,某运营商,未知运营商,,110105,39.9,116.4,是,否,",
]


@pytest.fixture(scope="module")
def divisions() -> Divisions:
    return default_divisions()


def test_cpca_divisions_load_with_counties(divisions: Divisions) -> None:
    counties = divisions.counties()
    assert len(counties) > 2800
    assert divisions.get("110105") is not None
    assert divisions.centroid("110108") is not None


def test_divisions_reject_bad_rows() -> None:
    with pytest.raises(Exception, match="row 2: adcode 'x12'"):
        parse_divisions("adcode,name,longitude,latitude\nx12,a,1,2\n", "t.csv")


def test_census_table_adds_up() -> None:
    table = province_populations()
    assert len(table) == 31
    assert sum(p.population for p in table.values()) == CENSUS_TOTAL
    assert table["44"].name == "广东"


def test_registry_csv_bad_rows_become_errors(tmp_path: Path, divisions: Divisions) -> None:
    path = tmp_path / "halls.csv"
    path.write_text(HEADER + "\n".join(ROWS) + "\n", encoding="utf-8")
    result = import_halls(path, divisions)
    assert [h.id for h in result.halls] == ["h1", "h2"]
    assert result.halls[1].location_source == "county_centroid"
    assert result.placed_at_centroid == 1
    by_row = {e.row: e for e in result.errors}
    assert by_row[4].field == "id" and "duplicate hall id 'h1'" in by_row[4].problem
    assert "outside China" in by_row[5].problem
    assert "unknown administrative code '999999'" in by_row[6].problem
    assert by_row[7].field == "lat/lon"
    assert by_row[8].field == "operator"


def test_registry_xlsx_and_json_agree(tmp_path: Path, divisions: Divisions) -> None:
    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.append(["营业厅编号", "运营商", "营业厅名称", "行政区划代码", "纬度", "经度", "可办理携出"])
    sheet.append(["x1", "中国移动", "天河营业厅", 440106, 23.12, 113.36, "是"])
    xlsx = tmp_path / "halls.xlsx"
    book.save(xlsx)
    as_json = tmp_path / "halls.json"
    row = {
        "id": "x1",
        "operator": "china_mobile",
        "name": "天河营业厅",
        "adcode": "440106",
        "lat": 23.12,
        "lon": 113.36,
        "port_out": True,
    }
    as_json.write_text(json.dumps({"halls": [row]}), encoding="utf-8")
    assert import_halls(xlsx, divisions).halls == import_halls(as_json, divisions).halls


def test_nearest_matches_brute_force() -> None:
    rng = random.Random(7)
    points = [(rng.uniform(18, 53), rng.uniform(74, 134), i) for i in range(3000)]
    index = NearestIndex(points)
    for _ in range(200):
        lat, lon = rng.uniform(18, 53), rng.uniform(74, 134)
        fast = index.nearest(lat, lon, 3)
        slow = brute_force_nearest(points, lat, lon, 3)
        assert [round(n.km, 9) for n in fast] == [round(n.km, 9) for n in slow]


def test_nearest_handles_sparse_and_empty() -> None:
    assert NearestIndex([]).nearest(30, 110) == []
    one = NearestIndex([(45.0, 126.0, "harbin")])
    found = one.nearest(18.3, 109.5, 5)
    assert [n.item for n in found] == ["harbin"] and found[0].km > 3000


def test_layout_counts_counties_and_density(divisions: Divisions, tmp_path: Path) -> None:
    path = tmp_path / "halls.csv"
    path.write_text(HEADER + ROWS[0] + "\n" + ROWS[1] + "\n", encoding="utf-8")
    halls = import_halls(path, divisions).halls
    layout = measure_layout(halls, divisions)
    assert layout.port_out_halls == 2
    chaoyang = next(c for c in layout.counties if c.adcode == "110105")
    assert chaoyang.km is not None and chaoyang.km < 10
    lhasa = next(c for c in layout.counties if c.adcode.startswith("5401"))
    assert lhasa.km is not None and lhasa.km > 2000
    beijing = next(p for p in layout.provinces if p.code == "11")
    assert beijing.halls == 2
