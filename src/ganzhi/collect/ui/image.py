"""Screenshots as numpy arrays, read with bounded pixels so a hostile PNG cannot exhaust memory."""

from __future__ import annotations

import io
import warnings

import numpy as np
import numpy.typing as npt
from PIL import Image, UnidentifiedImageError

#: 40 megapixels: a 4K phone screenshot is about 10; anything larger is refused, not decoded.
MAX_PIXELS = 40_000_000
MAX_IMAGE_BYTES = 64 * 1024 * 1024

RGB = npt.NDArray[np.uint8]


class ImageError(ValueError):
    """A screenshot cannot be used; the message says why (the caller adds the file)."""


def load_rgb(data: bytes, *, max_pixels: int = MAX_PIXELS) -> RGB:
    """Decode PNG/JPEG/WebP bytes into an H×W×3 uint8 array; ImageError on corrupt or oversized input."""
    if len(data) > MAX_IMAGE_BYTES:
        raise ImageError(f"image is {len(data)} bytes, above the limit of {MAX_IMAGE_BYTES}")
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
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise ImageError(f"not a readable image: {exc}") from None
    except Image.DecompressionBombWarning as exc:
        raise ImageError(f"image refused as a decompression bomb: {exc}") from None


def image_size(data: bytes) -> tuple[int, int]:
    """Width and height from the header only (no pixel decode)."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            return image.size
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as exc:
        raise ImageError(f"not a readable image: {exc}") from None


def gray(rgb: RGB) -> npt.NDArray[np.float64]:
    """Luma (ITU-R BT.601, Pillow's "L") as float64 in 0..255, the signal template matching compares."""
    return np.asarray(Image.fromarray(rgb, mode="RGB").convert("L"), dtype=np.float64)


def encode_png(rgb: RGB) -> bytes:
    """PNG bytes of an RGB array (used by importers and test forges)."""
    buffer = io.BytesIO()
    Image.fromarray(rgb, mode="RGB").save(buffer, format="PNG")
    return buffer.getvalue()
