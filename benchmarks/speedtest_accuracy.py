"""Speed-test accuracy against iperf3 on tc-shaped links in network namespaces (needs root, iproute2, iperf3).

Run: `sudo .venv/bin/python -m benchmarks.speedtest_accuracy [--seconds 10] [--links 50,100,500]`.
Prints ours / iperf3 per link and direction (target ±5%) and writes benchmarks/results/speedtest_accuracy.json.
Links with delay or loss need the `sch_netem` kernel module; without it they are reported as skipped.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from ganzhi.collect.speedtest.accuracy import compare_link, iperf3_missing
from ganzhi.collect.speedtest.netns import ShapedLink, unavailable

RESULTS = Path(__file__).resolve().parent / "results"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--seconds", type=float, default=10.0)
    parser.add_argument("--streams", type=int, default=4)
    parser.add_argument("--links", default="50,100,500", help="rates in Mbit/s, comma-separated")
    args = parser.parse_args(argv)
    reason = unavailable() or iperf3_missing()
    if reason:
        print(f"skipped: {reason}")
        return 2
    rates = [float(r) for r in args.links.split(",") if r]
    links = [ShapedLink(r) for r in rates] + [ShapedLink(r, delay_ms=20, loss_pct=1) for r in rates]
    rows = []
    print(f"{'link':<16}{'ours down':>11}{'iperf3 down':>13}{'ratio':>8}{'ours up':>10}{'iperf3 up':>11}{'ratio':>8}")
    for index, link in enumerate(links):
        try:
            c = compare_link(link, seconds=args.seconds, streams=args.streams, tag=str(index))
        except RuntimeError as exc:
            print(f"{link.label:<16}skipped: {str(exc)[:100]}")
            rows.append({"link": link.label, "skipped": str(exc)[:300]})
            continue
        within = abs(c.ratio_down - 1) <= 0.05 and abs(c.ratio_up - 1) <= 0.05
        print(
            f"{c.link:<16}{c.ours_down:>11.2f}{c.iperf_down:>13.2f}{c.ratio_down:>8.3f}"
            f"{c.ours_up:>10.2f}{c.iperf_up:>11.2f}{c.ratio_up:>8.3f}  {'ok' if within else 'OUTSIDE ±5%'}"
        )
        rows.append(
            {
                "link": c.link,
                "ours_down_mbps": c.ours_down,
                "iperf3_down_mbps": c.iperf_down,
                "ratio_down": c.ratio_down,
                "ours_up_mbps": c.ours_up,
                "iperf3_up_mbps": c.iperf_up,
                "ratio_up": c.ratio_up,
                "within_5pct": within,
            }
        )
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / "speedtest_accuracy.json"
    out.write_text(json.dumps({"baseline": "iperf3 (same link, same run)", "links": rows}, indent=2), encoding="utf-8")
    print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
