from __future__ import annotations

import io

import numpy as np
import pytest
from PIL import Image

from ganzhi.collect.ui.contrast import contrast_ratio, relative_luminance, swatch
from ganzhi.collect.ui.image import ImageError, load_rgb
from ganzhi.forge.ui.bundles import grey_for_ratio


def test_wcag_reference_values() -> None:
    assert relative_luminance((255, 255, 255)) == pytest.approx(1.0)
    assert contrast_ratio((0, 0, 0), (255, 255, 255)) == pytest.approx(21.0)
    assert contrast_ratio((118, 118, 118), (255, 255, 255)) == pytest.approx(4.54, abs=0.01)


@pytest.mark.parametrize("ratio", [1.9, 2.1, 2.9, 3.1, 4.4, 4.6])
def test_swatch_measures_a_drawn_glyph(ratio: float) -> None:
    ink = grey_for_ratio(200, ratio)
    pixels = np.full((60, 60, 3), 200, dtype=np.uint8)
    pixels[20:40, 10:50] = ink
    measured = swatch(pixels, (0, 0, 60, 60))
    assert measured is not None
    assert measured.ratio == pytest.approx(ratio, abs=0.06)
    assert measured.background == (200.0, 200.0, 200.0)


def test_swatch_of_a_plain_crop_is_one_and_empty_crop_is_none() -> None:
    pixels = np.full((10, 10, 3), 90, dtype=np.uint8)
    plain = swatch(pixels, (0, 0, 10, 10))
    assert plain is not None and plain.ratio == 1.0
    assert swatch(pixels, (20, 20, 30, 30)) is None


def test_corrupt_and_oversized_images_are_refused() -> None:
    with pytest.raises(ImageError, match="not a readable image"):
        load_rgb(b"\x89PNG\r\n\x1a\nbroken")
    buffer = io.BytesIO()
    Image.new("1", (3000, 3000)).save(buffer, format="PNG")
    with pytest.raises(ImageError, match="above 1000000"):
        load_rgb(buffer.getvalue(), max_pixels=1_000_000)
