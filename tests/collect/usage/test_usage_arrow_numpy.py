"""numpy ↔ Arrow through buffers: values, nulls, offsets, booleans; and the audit never imports pandas."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from usage_fixtures import bj, write_csv

from ganzhi.collect.usage import arrow_numpy as an


@pytest.mark.parametrize("typ", [pa.int64(), pa.int32(), pa.uint16(), pa.float64(), pa.timestamp("us", tz="UTC")])
def test_round_trip_with_nulls_and_offsets(typ: pa.DataType) -> None:
    data = np.arange(20)
    missing = data % 7 == 3
    arr = an.array(data, typ, missing)
    assert arr.type == typ and arr.null_count == int(missing.sum())
    sliced = arr.slice(5, 11)
    assert an.values(sliced, np.int64)[~missing[5:16]].tolist() == data[5:16][~missing[5:16]].tolist()
    assert an.valid(sliced).tolist() == (~missing[5:16]).tolist()
    chunked = pa.chunked_array([arr.slice(0, 4), arr.slice(4)])
    assert an.valid(chunked).tolist() == (~missing).tolist()


def test_booleans_and_strings() -> None:
    flags = np.asarray([True, False, True, True, False, False, False, False, True, True])
    arr = an.array(flags, pa.bool_())
    assert arr.to_pylist() == flags.tolist()
    assert an.values(arr.slice(3), np.bool_).tolist() == flags[3:].tolist()
    assert an.strings(["江苏", "", "P1"]).to_pylist() == ["江苏", "", "P1"]
    with pytest.raises(TypeError, match="numeric"):
        an.values(an.strings(["x"]), np.int64)


def test_empty_columns() -> None:
    assert an.values(pa.chunked_array([], type=pa.int64()), np.int64).tolist() == []
    assert an.valid(an.array(np.zeros(0, np.int64), pa.int64())).tolist() == []


def test_the_audit_imports_neither_pandas_nor_pydantic(tmp_path: Path) -> None:
    """Both cost a large share of a short audit's time (see `arrow_numpy` and `config`)."""
    plans = write_csv(tmp_path / "p.csv", ["plan_id", "quota_bytes"], [["P1", 100]])
    events, reminders = tmp_path / "e.parquet", tmp_path / "r.parquet"
    pq.write_table(pa.table({"subscriber_id": [1, 1], "ts": [bj(2024, 1, 2), bj(2024, 1, 2, 1)], "bytes": [50, 60],
                             "plan_id": ["P1", "P1"]}), events)  # fmt: skip
    pq.write_table(pa.table({"subscriber_id": [1], "ts": [bj(2024, 1, 2, 1)], "threshold": [0.8]}), reminders)
    code = f"""
import sys
from pathlib import Path
from ganzhi.collect.usage import AuditConfig, run_audit
paths = [Path(p) for p in {[str(plans), str(events), str(reminders), str(tmp_path / "out")]!r}]
report = run_audit(*paths, AuditConfig())
assert report.summary["by_status"]["on_time"] == 1, report.summary["by_status"]
print(sorted(m for m in ("pandas", "pydantic") if m in sys.modules))
"""
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"
