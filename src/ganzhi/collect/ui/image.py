"""Screenshots as numpy arrays, read with bounded pixels so a hostile PNG cannot exhaust memory."""

from __future__ import annotations

import io
import warnings
from dataclasses import replace

import numpy as np
import numpy.typing as npt
from PIL import Image

from ganzhi.collect.bounded import DEFAULT_LIMITS, image_header
from ganzhi.errors import InputError

#: 40 megapixels: a 4K phone screenshot is about 10; anything larger is refused, not decoded.
MAX_PIXELS = 40_000_000
MAX_IMAGE_BYTES = 64 * 1024 * 1024

RGB = npt.NDArray[np.uint8]


class ImageError(ValueError):
    """A screenshot cannot be used; the message says why (the caller adds the file)."""


def _header(data: bytes, max_pixels: int) -> tuple[int, int]:
    """Width and height from the header, checked against `max_pixels` before any pixel is decoded."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(f"image is {len(data)} bytes, above the limit of {MAX_IMAGE_BYTES}")
    try:
        _fmt, width, height = image_header(data, "image", limits=replace(DEFAULT_LIMITS, max_pixels=max_pixels))
    except InputError as exc:
        raise ImageError(exc.problem) from None
    return width, height


def load_rgb(data: bytes, *, max_pixels: int = MAX_PIXELS) -> RGB:
    """Decode PNG/JPEG/WebP bytes into an H×W×3 uint8 array; ImageError on corrupt or oversized input.

    The size is read from the header and checked first; Pillow's own bomb check then sits at our limit,
    so its `DecompressionBombError`/`Warning` can only confirm ours and becomes an `ImageError` too.
    """
    _header(data, max_pixels)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as image:
                width, height = image.size
                if width * height > max_pixels:
                    raise ImageError(f"image is {width}×{height} = {width * height} pixels, above {max_pixels}")
                image.load()
                return np.asarray(image.convert("RGB"), dtype=np.uint8)
    except ImageError:
        raise
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise ImageError(f"image refused as a decompression bomb: {exc}") from None
    except (Exception, MemoryError) as exc:  # any decoder failure: the caller names the file
        raise ImageError(f"not a readable image: {type(exc).__name__}: {exc}") from None


def image_size(data: bytes, *, max_pixels: int = MAX_PIXELS) -> tuple[int, int]:
    """Width and height from the header only (no pixel decode); ImageError when unreadable or too large."""
    return _header(data, max_pixels)


def gray(rgb: RGB) -> npt.NDArray[np.float64]:
    """Luma (ITU-R BT.601, Pillow's "L") as float64 in 0..255, the signal template matching compares."""
    return np.asarray(Image.fromarray(rgb, mode="RGB").convert("L"), dtype=np.float64)


def encode_png(rgb: RGB) -> bytes:
    """PNG bytes of an RGB array (used by importers and test forges)."""
    buffer = io.BytesIO()
    Image.fromarray(rgb, mode="RGB").save(buffer, format="PNG")
    return buffer.getvalue()
