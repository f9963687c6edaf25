"""Rebuild the labelled set and report the classifier's F1 on held-out templates.

    python -m ganzhi.supervision.complaints.train            # rebuild data/labelled.jsonl, evaluate
    python -m ganzhi.supervision.complaints.train --check    # evaluate the stored set without rewriting it
"""

from __future__ import annotations

import json
import sys

from ganzhi.supervision.complaints.classifier import evaluate_heldout
from ganzhi.supervision.complaints.dataset import LABELLED, generate, write


def main(argv: list[str] | None = None) -> int:
    """Rebuild (unless --check), evaluate, print the figures as JSON."""
    args = sys.argv[1:] if argv is None else argv
    if "--check" not in args:
        count = write(generate())
        print(f"wrote {count} examples to {LABELLED}", file=sys.stderr)
    print(json.dumps(evaluate_heldout(), ensure_ascii=False, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
