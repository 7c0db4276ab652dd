"""PNG charts for the 周报: state distribution, units' progress, the weekly trend.

Figures are drawn with matplotlib's Agg canvas, chosen explicitly per
figure (`FigureCanvasAgg`), never through pyplot: no global backend, no
window, no figure registry to leak, safe in a web worker thread. Bytes go
to memory; nothing is written to disk. The same data gives the same bytes
(no timestamp in the PNG; the `Software` text chunk is left out).

Chinese labels need a CJK font: WenQuanYi Zen Hei (Debian fonts-wqy-zenhei)
is looked up first, then any CJK font matplotlib knows. Without one the
chart is still drawn and the labels' Chinese characters show as boxes,
rather than the report failing.
"""

from __future__ import annotations

import functools
import io
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

from matplotlib import font_manager
from matplotlib.axes import Axes
from matplotlib.axis import Axis
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.font_manager import FontProperties
from matplotlib.ticker import FuncFormatter, MaxNLocator

__all__ = ["chinese_font", "status_chart", "trend_chart", "unit_chart"]

FONT_FILES = (
    "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc",
    "/usr/share/fonts/truetype/wqy/wqy-microhei.ttc",
)
_CJK_NAMES = ("WenQuanYi", "Noto Sans CJK", "Noto Serif CJK", "Source Han", "SimHei", "Droid Sans Fallback")

SIZE_IN = (6.4, 3.2)
DPI = 150
MAX_UNITS = 15

GREEN, BLUE, AMBER, RED, GREY = "#2e7d32", "#1f5fa8", "#e0a100", "#c62828", "#9e9e9e"


@functools.cache
def chinese_font() -> FontProperties | None:
    """A font with Chinese glyphs, or None when the machine has none."""
    for name in FONT_FILES:
        if Path(name).is_file():
            return FontProperties(fname=name)
    for entry in font_manager.fontManager.ttflist:
        if any(cjk in entry.name for cjk in _CJK_NAMES):
            return FontProperties(fname=entry.fname)
    return None


def _font(size: float) -> FontProperties:
    base = chinese_font()
    font = base.copy() if base is not None else FontProperties()
    font.set_size(size)
    return font


@contextmanager
def _figure() -> Iterator[tuple[Figure, Axes]]:
    figure = Figure(figsize=SIZE_IN, dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    axes = figure.add_subplot()
    axes.spines[["top", "right"]].set_visible(False)
    yield figure, axes


def _png(figure: Figure, axes: Axes) -> bytes:
    for label in (*axes.get_xticklabels(), *axes.get_yticklabels()):
        label.set_fontproperties(_font(9))
    out = io.BytesIO()
    with warnings.catch_warnings():
        if chinese_font() is None:  # boxes instead of characters, said once in the module doc
            warnings.filterwarnings("ignore", message=r"Glyph \d+ .*missing from font", category=UserWarning)
        figure.savefig(out, format="png", dpi=DPI, metadata={"Software": None})
    return out.getvalue()


def _count_axis(axis: Axis) -> None:
    """Whole numbers only, written with ASCII digits (no U+2212 minus that CJK fonts lack)."""
    axis.set_major_locator(MaxNLocator(integer=True))
    axis.set_major_formatter(FuncFormatter(lambda value, _: f"{value:g}"))


def _title(axes: Axes, text: str) -> None:
    axes.set_title(text, fontproperties=_font(12), loc="left")


def status_chart(counts: Sequence[tuple[str, int]], *, title: str = "任务状态分布") -> bytes:
    """Horizontal bars, one per state, with the count at the end of each bar."""
    labels = [label for label, _ in counts]
    values = [n for _, n in counts]
    colours = [GREY, AMBER, BLUE, BLUE, GREEN, GREY][: len(values)] + [BLUE] * max(0, len(values) - 6)
    with _figure() as (figure, axes):
        positions = list(range(len(labels)))[::-1]
        bars = axes.barh(positions, values, color=colours)
        axes.set_yticks(positions, labels)
        axes.bar_label(bars, labels=[str(v) for v in values], padding=3, fontproperties=_font(9))
        axes.set_xlim(0, max([*values, 1]) * 1.15)
        _count_axis(axes.xaxis)
        _title(axes, title)
        return _png(figure, axes)


def unit_chart(rows: Sequence[tuple[str, int, int, int]], *, title: str = "各单位任务办理情况") -> bytes:
    """Stacked horizontal bars per unit: (unit, done, open on time, overdue); the first MAX_UNITS rows."""
    shown = list(rows[:MAX_UNITS])
    names = [r[0] for r in shown]
    done = [r[1] for r in shown]
    on_time = [r[2] for r in shown]
    overdue = [r[3] for r in shown]
    with _figure() as (figure, axes):
        positions = list(range(len(names)))[::-1]
        axes.barh(positions, done, color=GREEN, label="已办结")
        axes.barh(positions, on_time, left=done, color=BLUE, label="办理中（未逾期）")
        lefts = [a + b for a, b in zip(done, on_time, strict=True)]
        axes.barh(positions, overdue, left=lefts, color=RED, label="逾期未办结")
        axes.set_yticks(positions, names)
        axes.set_xlim(0, max([*(a + b for a, b in zip(lefts, overdue, strict=True)), 1]) * 1.05)
        _count_axis(axes.xaxis)
        axes.legend(prop=_font(8), loc="lower right", frameon=False)
        _title(axes, title)
        return _png(figure, axes)


def trend_chart(weeks: Sequence[tuple[str, int, int, int]], *, title: str = "近期每周趋势") -> bytes:
    """Lines over weeks: (week label, new, completed, overdue at the week's end)."""
    labels = [w[0] for w in weeks]
    series = (("新交办", 1, BLUE, "o"), ("办结", 2, GREEN, "s"), ("逾期（周末）", 3, RED, "^"))
    with _figure() as (figure, axes):
        xs = list(range(len(labels)))
        for name, index, colour, marker in series:
            axes.plot(xs, [w[index] for w in weeks], color=colour, marker=marker, label=name)
        axes.set_xticks(xs, labels)
        axes.set_ylim(0, max([*(max(w[1:]) for w in weeks), 1]) * 1.15)
        _count_axis(axes.yaxis)
        axes.legend(prop=_font(8), loc="best", frameon=False)
        _title(axes, title)
        return _png(figure, axes)
