"""The content-addressed blob store: layout, round trip, dedupe, size limit and clear errors."""

from __future__ import annotations

import hashlib
import io
from pathlib import Path

import pytest

from ganzhi.errors import StoreError
from ganzhi.store.blobs import CHUNK_BYTES, BlobStore, BlobTooLargeError


def _tmp_leftovers(store: BlobStore) -> list[Path]:
    tmp = store.root / "tmp"
    return list(tmp.iterdir()) if tmp.exists() else []


def test_put_bytes_round_trip_and_layout(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    data = "隐私政策摘要".encode() * 100
    sha = hashlib.sha256(data).hexdigest()
    ref = store.put_bytes(data, "summary.txt", media_type="text/plain")
    assert (ref.sha256, ref.size, ref.name, ref.media_type) == (sha, len(data), "summary.txt", "text/plain")
    assert store.path(sha) == tmp_path / "blobs" / sha[:2] / sha[2:4] / sha
    assert store.exists(sha)
    with store.open(sha) as handle:
        assert handle.read() == data
    assert store.verify(sha)
    assert _tmp_leftovers(store) == []


def test_put_file_streams_large_files_and_dedupes(tmp_path: Path) -> None:
    source = tmp_path / "big.apk"
    payload = bytes(range(256)) * (3 * CHUNK_BYTES // 256 + 7)
    source.write_bytes(payload)
    store = BlobStore(tmp_path / "blobs")
    ref = store.put_file(source, media_type="application/vnd.android.package-archive")
    assert ref.name == "big.apk"
    assert ref.size == len(payload)
    assert ref.sha256 == hashlib.sha256(payload).hexdigest()
    again = store.put_bytes(payload, "renamed.apk")
    assert again.sha256 == ref.sha256
    stored = [p for p in (tmp_path / "blobs").rglob("*") if p.is_file()]
    assert stored == [store.path(ref.sha256)]


def test_size_limit_stores_nothing(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs", max_bytes=1000)
    store.put_bytes(b"x" * 1000, "exactly-at-limit.bin")
    with pytest.raises(BlobTooLargeError, match=r"huge\.bin: larger than the blob size limit of 1000 bytes"):
        store.put_bytes(b"y" * 1001, "huge.bin")
    with pytest.raises(BlobTooLargeError, match="limit of 10 bytes"):
        store.put_stream(io.BytesIO(b"z" * 11), "s.bin", max_bytes=10)
    assert not store.exists(hashlib.sha256(b"y" * 1001).hexdigest())
    assert _tmp_leftovers(store) == []


def test_errors_name_the_input(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    with pytest.raises(StoreError, match="64 lowercase hex digits"):
        store.path("../../etc/passwd")
    missing = "0" * 64
    assert not store.exists(missing)
    with pytest.raises(StoreError, match=f"blob {missing} is not in the store"):
        store.open(missing)
    with pytest.raises(StoreError, match=r"cannot read .*absent\.apk"):
        store.put_file(tmp_path / "absent.apk")


def test_verify_detects_a_corrupted_blob(tmp_path: Path) -> None:
    store = BlobStore(tmp_path / "blobs")
    ref = store.put_bytes(b"original", "a.bin")
    target = store.path(ref.sha256)
    target.write_bytes(b"tampered")
    assert not store.verify(ref.sha256)
