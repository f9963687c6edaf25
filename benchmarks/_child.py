"""Run one measured step in a fresh child process and report its time and peak RSS (honest memory)."""

from __future__ import annotations

import json
import sys
from typing import Any


def run_child(module: str, *args: str, timeout: float = 3600) -> dict[str, Any]:
    """`python -m <module> --child ARGS...`; the child prints one JSON line with `seconds` and `rss_mb`."""
    import subprocess  # parent only: keeps the measured child's floor low

    proc = subprocess.run(
        [sys.executable, "-m", module, "--child", *args], capture_output=True, text=True, timeout=timeout, check=False
    )
    if proc.returncode != 0:
        raise RuntimeError(f"child {module} {args} failed ({proc.returncode}): {proc.stderr[-2000:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    return result


def peak_rss_mb() -> float:
    """This process's peak resident set size in MiB.

    `VmHWM` from /proc is per address space, so it starts afresh at exec; `ru_maxrss` survives
    exec and would report the (large) parent's size for a child that the parent forked.
    """
    try:
        with open("/proc/self/status", encoding="ascii") as fh:
            for line in fh:
                if line.startswith("VmHWM:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
