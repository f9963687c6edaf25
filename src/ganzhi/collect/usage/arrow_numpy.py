"""numpy ↔ Arrow for numeric, boolean and small string columns, through their buffers.

Why not `Array.to_numpy` / `pa.array`: when pandas is installed, those entry points import it (to check for
pandas objects), which cost about 0.3 s of the audit's 2 s on the 10M benchmark for nothing. Reading
and building the buffers directly is zero-copy for values and never touches pandas.
"""

from __future__ import annotations

from typing import Any, TypeAlias

import numpy as np
import numpy.typing as npt
import pyarrow as pa

Bools = npt.NDArray[np.bool_]
Column: TypeAlias = "pa.Array[Any] | pa.ChunkedArray[Any]"


def flat(column: Column) -> pa.Array[Any]:
    """One contiguous array (chunks are concatenated only when there are several)."""
    if isinstance(column, pa.Array):
        return column
    chunks: list[pa.Array[Any]] = column.chunks
    return chunks[0] if len(chunks) == 1 else column.combine_chunks()


def _bits(buffer: pa.Buffer, offset: int, length: int) -> Bools:
    """A bit-packed Arrow bitmap (validity or booleans) as a bool array."""
    packed = np.frombuffer(memoryview(buffer), dtype=np.uint8)
    bits = np.unpackbits(packed, count=offset + length, bitorder="little")
    return bits[offset:].astype(np.bool_)


def _native(typ: pa.DataType) -> np.dtype[Any]:
    """The numpy layout of a numeric Arrow type (timestamps as int64)."""
    if pa.types.is_timestamp(typ):
        return np.dtype("<i8")
    if not (pa.types.is_integer(typ) or pa.types.is_floating(typ)):
        raise TypeError(f"expected a numeric Arrow type, got {typ}")
    kind = "f" if pa.types.is_floating(typ) else "u" if pa.types.is_unsigned_integer(typ) else "i"
    return np.dtype(f"<{kind}{typ.bit_width // 8}")


def values(column: Column, dtype: npt.DTypeLike) -> np.ndarray[Any, Any]:
    """The values of a numeric or boolean column as numpy `dtype` (null slots hold arbitrary values)."""
    arr = flat(column)
    data = arr.buffers()[1]
    if data is None or len(arr) == 0:
        return np.zeros(len(arr), dtype)
    if pa.types.is_boolean(arr.type):
        return _bits(data, arr.offset, len(arr)).astype(dtype, copy=False)
    native = _native(arr.type)
    raw = np.frombuffer(memoryview(data), dtype=native, count=len(arr), offset=arr.offset * native.itemsize)
    return raw.astype(dtype, copy=False)


def valid(column: Column) -> Bools:
    """True where the column holds a value."""
    arr = flat(column)
    bitmap = arr.buffers()[0]
    if arr.null_count == 0 or bitmap is None:
        return np.ones(len(arr), np.bool_)
    return _bits(bitmap, arr.offset, len(arr))


def array(data: np.ndarray[Any, Any], typ: pa.DataType, missing: Bools | None = None) -> pa.Array[Any]:
    """An Arrow array of numeric or boolean `typ` over `data` (converted to its width); `missing` marks nulls."""
    if pa.types.is_boolean(typ):
        body = np.packbits(np.asarray(data, np.bool_), bitorder="little")
    else:
        body = np.ascontiguousarray(data, dtype=_native(typ))
    if missing is None or not missing.any():
        return pa.Array.from_buffers(typ, len(data), [None, pa.py_buffer(body.data)], null_count=0)
    validity = pa.py_buffer(np.packbits(~missing, bitorder="little").data)
    return pa.Array.from_buffers(typ, len(data), [validity, pa.py_buffer(body.data)], null_count=int(missing.sum()))


def strings(items: list[str]) -> pa.Array[Any]:
    """A small Arrow string array."""
    encoded = [s.encode() for s in items]
    offsets = np.concatenate(([0], np.cumsum([len(b) for b in encoded]))).astype(np.int32)
    buffers = [None, pa.py_buffer(offsets.data), pa.py_buffer(b"".join(encoded))]
    return pa.Array.from_buffers(pa.string(), len(items), buffers)
