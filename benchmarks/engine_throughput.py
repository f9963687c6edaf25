"""Engine throughput: subjects per second through the real runner, serial vs the local process pool.

Input: fictional 携号转网 queries (7 checks each) from the demo generator. Baseline: the serial executor in the
same run. Usage: `python -m benchmarks.engine_throughput [--cases N] [--repeats R] [--workers W]`.
"""

from __future__ import annotations

import argparse
import io
import json
import statistics
import time

from rich.console import Console
from rich.table import Table

from benchmarks._result import write_result
from ganzhi.collect.portability.cases import CaseLine, PortabilityCollector
from ganzhi.demo.portability_cases import generate
from ganzhi.engine.executors import Executor, LocalExecutor, SerialExecutor
from ganzhi.engine.runner import evaluate
from ganzhi.evidence.base import Evidence


def _evidence(count: int) -> list[Evidence]:
    stream = io.BytesIO("\n".join(json.dumps(c) for c in generate(count)).encode("utf-8"))
    return [i.evidence for i in PortabilityCollector(source="bench").read(stream) if isinstance(i, CaseLine)]


def _median_seconds(evidence: list[Evidence], executor: Executor, repeats: int) -> float:
    times = []
    for _ in range(repeats):
        started = time.perf_counter()
        outcome = evaluate(evidence, tasks=["T9"], executor=executor, batch_size=256)
        times.append(time.perf_counter() - started)
        if outcome.subjects != len(evidence):
            raise RuntimeError(f"evaluated {outcome.subjects} of {len(evidence)} subjects")
    return statistics.median(times)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--cases", type=int, default=20_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workers", type=int, default=2)
    args = parser.parse_args(argv)
    evidence = _evidence(args.cases)
    evaluate(evidence[:50], tasks=["T9"])  # warm the registry and imports
    serial = _median_seconds(evidence, SerialExecutor(), args.repeats)
    pool = LocalExecutor(workers=args.workers)
    try:
        local = _median_seconds(evidence, pool, args.repeats)
    finally:
        pool.close()
    table = Table(title=f"engine throughput, {args.cases} subjects × 7 checks, median of {args.repeats}")
    for column in ("executor", "seconds", "subjects/s", "vs serial (baseline)"):
        table.add_column(column, justify="right")
    table.add_row("serial (baseline)", f"{serial:.2f}", f"{args.cases / serial:,.0f}", "1.00×")
    table.add_row(f"local ×{args.workers}", f"{local:.2f}", f"{args.cases / local:,.0f}", f"{serial / local:.2f}×")
    Console().print(table)
    path = write_result(
        "engine_throughput",
        {"cases": args.cases, "serial_s": serial, "local_s": local, "workers": args.workers, "repeats": args.repeats},
    )
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
