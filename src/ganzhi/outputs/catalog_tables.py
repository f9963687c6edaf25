"""The catalog's flat tables (one row per requirement, one per param) as CSV and Excel.

The rows come from `ganzhi.catalog.export`; writing lives here so every spreadsheet cell goes through
the one formula-safe writer (`ganzhi.outputs.sheets`), even though catalog texts are our own: a
reviewer's edited catalog or a campaign override is text from outside.
"""

from __future__ import annotations

from pathlib import Path

from ganzhi.catalog.export import PARAM_COLUMNS, REQUIREMENT_COLUMNS, param_rows, requirement_rows
from ganzhi.catalog.schema import Catalog
from ganzhi.i18n import Lang
from ganzhi.outputs import sheets
from ganzhi.outputs.sheets import Sheet

#: Worksheet titles of the catalog workbook.
REQUIREMENTS_SHEET = "requirements"
PARAMS_SHEET = "params"


def catalog_sheets(catalog: Catalog, lang: Lang = "zh") -> list[Sheet]:
    """Sheet `requirements` (one row each) and sheet `params`, texts in `lang`."""
    requirements = [[row[column] for column in REQUIREMENT_COLUMNS] for row in requirement_rows(catalog, lang)]
    params = [[row[column] for column in PARAM_COLUMNS] for row in param_rows(catalog, lang)]
    return [
        Sheet(REQUIREMENTS_SHEET, REQUIREMENT_COLUMNS, requirements),
        Sheet(PARAMS_SHEET, PARAM_COLUMNS, params),
    ]


def to_csv(catalog: Catalog, lang: Lang = "zh") -> str:
    """One CSV row per requirement, header first."""
    requirements = catalog_sheets(catalog, lang)[0]
    return sheets.to_csv([requirements.header, *requirements.rows], lineterminator="\n")


def write_xlsx(catalog: Catalog, path: Path, lang: Lang = "zh") -> None:
    """An Excel workbook: sheet `requirements` (one row each) and sheet `params`."""
    path.write_bytes(sheets.to_xlsx(catalog_sheets(catalog, lang)))
