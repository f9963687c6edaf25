"""Features of a sentence for the classifier: its own characters and the headings it sits under.

Training and inference share this module so the two can never drift apart. The heading context is
rebuilt from the sequence of lines (document order), the same way for CAPP-130 and for user input.
"""

from __future__ import annotations

from collections.abc import Sequence

from ganzhi.policy.structure import heading_style

SENTENCE_NGRAMS = (1, 3)
CONTEXT_NGRAMS = (1, 2)
CONTEXT_WEIGHT = 0.7
CONTEXT_DEPTH = 2


def heading_contexts(texts: Sequence[str], starts: Sequence[bool] | None = None) -> list[str]:
    """For each line, the text of the (up to two) innermost headings above it, itself included.

    `starts[i]` marks the first line of a new document (the heading stack is reset there).
    """
    style_level: dict[str, int] = {}
    stack: list[tuple[int, str]] = []
    out: list[str] = []
    for i, text in enumerate(texts):
        if starts is not None and starts[i]:
            style_level, stack = {}, []
        found = heading_style(text)
        if found is not None:
            style, title = found
            level = style_level.setdefault(style, len(style_level) + 1)
            while stack and stack[-1][0] >= level:
                stack.pop()
            stack.append((level, title))
        out.append(" ".join(t for _, t in stack[-CONTEXT_DEPTH:]))
    return out
