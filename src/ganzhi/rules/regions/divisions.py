"""Administrative divisions with centroids, read at run time from the MIT-licensed `cpca` package data.

`cpca` ships `resources/adcodes.csv` (12-digit adcode, name, longitude, latitude). We read that file
from the installed distribution without importing `cpca` itself (which would load pandas), and never
copy it into the repo. Counties lacking coordinates fall back to their prefecture's centroid.
"""

from __future__ import annotations

import csv
import importlib.metadata
import io
import math
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ganzhi.errors import InputError

CPCA_DISTRIBUTION = "cpca"
CPCA_FILE = "cpca/resources/adcodes.csv"
MAX_DIVISIONS_BYTES = 8 << 20


@dataclass(frozen=True, slots=True)
class Division:
    """One division: 6-digit adcode, name, level and centroid (None when the data has none)."""

    adcode: str
    name: str
    lat: float | None
    lon: float | None

    @property
    def level(self) -> str:
        """'province', 'prefecture' or 'county', from the adcode's zero digits."""
        if self.adcode[2:] == "0000":
            return "province"
        if self.adcode[4:] == "00":
            return "prefecture"
        return "county"

    @property
    def province_code(self) -> str:
        """The first two digits."""
        return self.adcode[:2]


@dataclass(frozen=True, slots=True)
class Placement:
    """Where a hall without coordinates goes, and which centroid that was."""

    lat: float
    lon: float
    source: str


class Divisions:
    """Lookup of divisions by adcode; accepts 6- or 12-digit codes."""

    def __init__(self, divisions: Iterable[Division], source: str) -> None:
        self.source = source
        self._by_code = {d.adcode: d for d in divisions}

    def __len__(self) -> int:
        return len(self._by_code)

    @staticmethod
    def normalise(code: str) -> str | None:
        """The 6-digit form of a 6- or 12-digit adcode, or None when `code` is not one."""
        code = code.strip()
        if code.endswith(".0"):
            code = code[:-2]
        if len(code) == 12 and code.isdigit() and code[6:] == "000000":
            return code[:6]
        if len(code) == 6 and code.isdigit():
            return code
        return None

    def get(self, adcode: str) -> Division | None:
        """The division with this (normalised) adcode, or None."""
        return self._by_code.get(adcode)

    def counties(self) -> list[Division]:
        """Every county-level division, sorted by adcode."""
        return sorted((d for d in self._by_code.values() if d.level == "county"), key=lambda d: d.adcode)

    def provinces(self) -> dict[str, Division]:
        """Province-level divisions by 2-digit code."""
        return {d.province_code: d for d in self._by_code.values() if d.level == "province"}

    def centroid(self, adcode: str) -> Placement | None:
        """The county's centroid, else its prefecture's; None when neither has coordinates."""
        for code, source in ((adcode, "county_centroid"), (adcode[:4] + "00", "prefecture_centroid")):
            found = self._by_code.get(code)
            if found is not None and found.lat is not None and found.lon is not None:
                return Placement(lat=found.lat, lon=found.lon, source=source)
        return None


def _number(text: str) -> float | None:
    if not text.strip():
        return None
    value = float(text)
    return value if math.isfinite(value) else None


def parse_divisions(text: str, source: str) -> Divisions:
    """Parse adcodes.csv text; InputError names the row that is malformed."""
    reader = csv.DictReader(io.StringIO(text))
    missing = {"adcode", "name", "longitude", "latitude"} - set(reader.fieldnames or [])
    if missing:
        raise InputError(source, f"expected columns adcode,name,longitude,latitude (missing {sorted(missing)})")
    items = []
    for row_number, row in enumerate(reader, start=2):
        code = Divisions.normalise(row["adcode"] or "")
        if code is None:
            raise InputError(source, f"row {row_number}: adcode {row['adcode']!r} is not a 6/12-digit code")
        try:
            lon, lat = _number(row["longitude"] or ""), _number(row["latitude"] or "")
        except ValueError:
            raise InputError(source, f"row {row_number}: coordinates are not numbers") from None
        items.append(Division(adcode=code, name=row["name"] or "", lat=lat, lon=lon))
    return Divisions(items, source)


def cpca_path() -> Path:
    """Path of cpca's adcodes.csv; InputError explains how to install it when absent."""
    try:
        dist = importlib.metadata.distribution(CPCA_DISTRIBUTION)
    except importlib.metadata.PackageNotFoundError:
        raise InputError(CPCA_FILE, "the `cpca` package (MIT) is not installed: pip install cpca") from None
    return Path(str(dist.locate_file(CPCA_FILE)))


@lru_cache(maxsize=1)
def default_divisions() -> Divisions:
    """cpca's divisions, read once per process."""
    path = cpca_path()
    try:
        with path.open("rb") as handle:
            data = handle.read(MAX_DIVISIONS_BYTES + 1)
    except OSError as exc:
        raise InputError(str(path), f"cannot read: {exc.strerror or exc}") from None
    if len(data) > MAX_DIVISIONS_BYTES:
        raise InputError(str(path), f"larger than {MAX_DIVISIONS_BYTES} bytes")
    return parse_divisions(data.decode("utf-8-sig"), f"cpca {dist_version()} {CPCA_FILE}")


def dist_version() -> str:
    """Installed cpca version (for provenance in outputs)."""
    return importlib.metadata.version(CPCA_DISTRIBUTION)
