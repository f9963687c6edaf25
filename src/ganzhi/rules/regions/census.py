"""7th national census (2020) provincial populations, shipped as a small official table with its source."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources

CENSUS_FILE = "census2020_provinces.csv"
#: The sum NBS publishes for the 31 provinces; the loader refuses a table that does not add up.
CENSUS_TOTAL = 1_409_778_724


@dataclass(frozen=True, slots=True)
class ProvincePopulation:
    """One province-level division: 2-digit code, short name, resident population."""

    code: str
    name: str
    population: int


@lru_cache(maxsize=1)
def province_populations() -> dict[str, ProvincePopulation]:
    """Populations by 2-digit province code; ValueError when the shipped table is damaged."""
    text = resources.files("ganzhi.rules.regions").joinpath("data", CENSUS_FILE).read_text(encoding="utf-8")
    rows = [line for line in text.splitlines() if line and not line.startswith("#")]
    table = {}
    for row in csv.DictReader(rows):
        item = ProvincePopulation(code=row["code"], name=row["name"], population=int(row["population"]))
        table[item.code] = item
    total = sum(p.population for p in table.values())
    if len(table) != 31 or total != CENSUS_TOTAL:
        raise ValueError(f"{CENSUS_FILE}: expected 31 provinces summing to {CENSUS_TOTAL} (got {len(table)}, {total})")
    return table
