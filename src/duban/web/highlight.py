"""Document text with extracted items marked: `<mark>` elements built from escaped pieces only.

The text is untrusted (anyone may upload a file), so nothing of it is ever
passed through as markup: every run of characters is escaped, and the tags
around it are ours. Spans may overlap, touch or run past the text (a span
from an older extraction); overlaps nest, and where one mark ends inside
another the inner one is closed and reopened so the tags always balance.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

__all__ = ["KINDS", "Mark", "highlight"]

# The classes duban.css colours, in legend order.
KINDS = ("task", "target", "money", "person")


@dataclass(frozen=True)
class Mark:
    """One highlighted range `[start, end)` of the text, with its tooltip and optional link."""

    start: int
    end: int
    kind: str
    title: str = ""
    href: str | None = None


def _clip(marks: Iterable[Mark], length: int) -> list[Mark]:
    """Marks cut to the text; empty and inverted ones dropped. Longer ones first where they start together."""
    kept = []
    for mark in marks:
        start, end = max(0, mark.start), min(length, mark.end)
        if start < end:
            kept.append(Mark(start, end, mark.kind, mark.title, mark.href))
    return sorted(kept, key=lambda m: (m.start, -m.end, KINDS.index(m.kind) if m.kind in KINDS else 99))


def _open(mark: Mark, linked: bool) -> Markup:
    tag = Markup('<mark class="hl-{}" title="{}">').format(mark.kind, mark.title)
    return tag + Markup('<a href="{}">').format(mark.href) if linked else tag


def _close(linked: bool) -> Markup:
    return Markup("</a></mark>") if linked else Markup("</mark>")


def highlight(text: str, marks: Sequence[Mark]) -> Markup:
    """`text`, escaped, with every mark wrapped around its range."""
    ordered = _clip(marks, len(text))
    bounds = sorted({0, len(text), *(m.start for m in ordered), *(m.end for m in ordered)})
    out: list[str] = []
    # Open marks, innermost last, each with whether it carries its link: links never nest in HTML.
    stack: list[tuple[Mark, bool]] = []

    def push(mark: Mark) -> None:
        linked = mark.href is not None and not any(linked for _, linked in stack)
        out.append(_open(mark, linked))
        stack.append((mark, linked))

    pending = 0  # index into `ordered` of the next mark to open
    for i, position in enumerate(bounds):
        # Close what ends here; marks opened inside a closing one are closed first and reopened after.
        reopen: list[Mark] = []
        while any(m.end == position for m, _ in stack):
            inner, linked = stack.pop()
            out.append(_close(linked))
            if inner.end != position:
                reopen.append(inner)
        for mark in reversed(reopen):
            push(mark)
        while pending < len(ordered) and ordered[pending].start == position:
            push(ordered[pending])
            pending += 1
        if i + 1 < len(bounds):
            out.append(escape(text[position : bounds[i + 1]]))
    while stack:
        out.append(_close(stack.pop()[1]))
    return Markup("").join(out)
