"""PDF rendering of a snapshot: the HTML page through WeasyPrint, with the Noto Sans CJK SC font embedded.

WeasyPrint is the optional extra `pdf` and needs Pango plus the Debian package `fonts-noto-cjk`; when
either is missing `to_pdf` raises `PdfUnavailable` saying what to install, instead of writing a PDF
with empty boxes for every Chinese character.
"""

from __future__ import annotations

import shutil
import subprocess
import warnings

from ganzhi.errors import GanzhiError
from ganzhi.supervision.publications import Publication
from ganzhi.supervision.render.html import to_html

FONT_FAMILY = "Noto Sans CJK SC"
INSTALL_HINT = (
    "pip install 'ganzhi[pdf]' and apt-get install -y fonts-noto-cjk libpango-1.0-0 libpangoft2-1.0-0 "
    "libharfbuzz-subset0"
)


class PdfUnavailable(GanzhiError):
    """WeasyPrint or the CJK font is not installed."""


def font_installed(family: str = FONT_FAMILY) -> bool:
    """True when fontconfig knows a font of this family (fc-list is part of fontconfig, which Pango needs)."""
    fc_list = shutil.which("fc-list")
    if fc_list is None:
        return False
    listed = subprocess.run(
        [fc_list, f":family={family}", "family"], check=False, capture_output=True, text=True, timeout=30
    )
    return family in listed.stdout


def to_pdf(pub: Publication) -> bytes:
    """The snapshot as an A4 PDF with the CJK font embedded."""
    return render_pdf(to_html(pub))


#: Page style of reports that bring no stylesheet of their own (look-back and complaint reports).
REPORT_CSS = (
    f'@page {{ size: A4 landscape; margin: 12mm; }} body {{ font-family: "{FONT_FAMILY}"; font-size: 9pt; }} '
    "table { border-collapse: collapse; width: 100%; margin-bottom: 6mm; } "
    "th, td { border: 0.5pt solid #555; padding: 1mm 1.5mm; word-break: break-all; } caption { font-weight: bold; }"
)


def render_pdf(html: str) -> bytes:
    """Any HTML page as PDF; pages without a `<style>` get `REPORT_CSS` (CJK font by family name)."""
    try:
        with warnings.catch_warnings():  # "HarfBuzz-Subset will be required" when libharfbuzz-subset0 is absent
            warnings.simplefilter("ignore", DeprecationWarning)
            from weasyprint import HTML  # type: ignore[import-untyped]
    except (ImportError, OSError) as exc:
        raise PdfUnavailable(f"WeasyPrint cannot be loaded ({exc}); {INSTALL_HINT}") from None
    if not font_installed():
        raise PdfUnavailable(f"font family {FONT_FAMILY!r} is not installed; {INSTALL_HINT}")
    if "<style" not in html:
        html = f'<html><head><meta charset="utf-8"><style>{REPORT_CSS}</style></head><body>{html}</body></html>'
    pdf: bytes = HTML(string=html).write_pdf()
    return pdf
