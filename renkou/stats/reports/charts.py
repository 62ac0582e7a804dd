"""Charts as inline SVG, drawn here (no JavaScript), so they print in the PDF as vectors.

Only two kinds are needed: a monthly line chart (this year against the same months a year
earlier) and a horizontal bar chart (one bar per village). Text uses the document's font
stack, so Chinese labels come out in the same embedded CJK font as the tables.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from html import escape

# Colour-blind-safe pair (Okabe–Ito blue and orange) plus greys.
BLUE = "#0072B2"
ORANGE = "#E69F00"
GREY = "#888888"
LIGHT = "#dddddd"
TEXT = "#222222"


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    values: Sequence[float | int | None]
    color: str = BLUE
    dashed: bool = False


def nice_ticks(top: float, count: int = 5) -> list[float]:
    """0 … a round maximum ≥ `top`, in steps of 1, 2 or 5 × 10^k (at most `count` + 1)."""
    if top <= 0:
        return [0.0, 1.0]
    raw = top / count
    magnitude = 10 ** math.floor(math.log10(raw))
    step = next(m * magnitude for m in (1, 2, 5, 10) if m * magnitude >= raw)
    if step < 1 and top >= 1:
        step = 1
    n = math.ceil(top / step - 1e-9)
    return [round(i * step, 10) for i in range(n + 1)]


def _num(value: float) -> str:
    return f"{value:g}"


def line_chart(*, title: str, labels: Sequence[str], series: Sequence[Series],
               font_family: str, width: int = 340, height: int = 190) -> str:
    """A line chart of series over `labels` (months). None values leave a gap."""
    left, right, top, bottom = 34, 10, 26, 34
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((float(v) for s in series for v in s.values if v is not None), default=0.0)
    ticks = nice_ticks(peak)
    y_max = ticks[-1]
    n = max(len(labels), 1)

    def x(i: int) -> float:
        return left + (plot_w * (i + 0.5) / n)

    def y(v: float) -> float:
        return top + plot_h - plot_h * v / y_max

    parts = [_svg_open(width, height, font_family),
             f'<text x="{left}" y="14" font-size="11" font-weight="700" fill="{TEXT}">'
             f"{escape(title)}</text>"]
    for t in ticks:
        parts.append(f'<line x1="{left}" y1="{y(t):.1f}" x2="{width - right}" y2="{y(t):.1f}" '
                     f'stroke="{LIGHT}" stroke-width="0.6"/>')
        parts.append(f'<text x="{left - 4}" y="{y(t) + 3:.1f}" font-size="8" '
                     f'text-anchor="end" fill="{GREY}">{_num(t)}</text>')
    for i, label in enumerate(labels):
        parts.append(f'<text x="{x(i):.1f}" y="{top + plot_h + 12}" font-size="8" '
                     f'text-anchor="middle" fill="{GREY}">{escape(label)}</text>')
    for s in series:
        dash = ' stroke-dasharray="4 3"' if s.dashed else ""
        segment: list[str] = []
        runs: list[list[str]] = []
        for i, v in enumerate(s.values):
            if v is None:
                if segment:
                    runs.append(segment)
                segment = []
                continue
            segment.append(f"{x(i):.1f},{y(float(v)):.1f}")
        if segment:
            runs.append(segment)
        for run in runs:
            parts.append(f'<polyline points="{" ".join(run)}" fill="none" stroke="{s.color}" '
                         f'stroke-width="1.6"{dash}/>')
        fill = "#ffffff" if s.dashed else s.color
        for i, v in enumerate(s.values):
            if v is not None:
                parts.append(f'<circle cx="{x(i):.1f}" cy="{y(float(v)):.1f}" r="1.8" '
                             f'fill="{fill}" stroke="{s.color}" stroke-width="0.8"/>')
    # Legend under the axis labels.
    lx = left
    ly = height - 8
    for s in series:
        dash = ' stroke-dasharray="4 3"' if s.dashed else ""
        parts.append(f'<line x1="{lx}" y1="{ly - 3}" x2="{lx + 18}" y2="{ly - 3}" '
                     f'stroke="{s.color}" stroke-width="1.6"{dash}/>')
        parts.append(f'<text x="{lx + 22}" y="{ly}" font-size="8" fill="{TEXT}">'
                     f"{escape(s.name)}</text>")
        lx += 30 + 9 * len(s.name)
    parts.append("</svg>")
    return "".join(parts)


@dataclass(frozen=True, slots=True)
class Bar:
    name: str
    value: float | None  # None: no bar
    text: str  # printed after the bar (the value, "—", "<5" …)


def bar_chart(*, title: str, bars: Sequence[Bar], font_family: str,
              value_max: float | None = None, width: int = 680) -> str:
    """Horizontal bars, one per item in the given order, each labelled with its text."""
    row_h = 15
    label_w = min(max(10 + 10 * max((len(b.name) for b in bars), default=2), 60), 200)
    left, right, top = label_w, 50, 24
    height = top + row_h * max(len(bars), 1) + 6
    plot_w = width - left - right
    peak = value_max if value_max is not None else max(
        (float(b.value) for b in bars if b.value is not None), default=0.0)
    peak = peak or 1.0
    parts = [_svg_open(width, height, font_family),
             f'<text x="0" y="14" font-size="11" font-weight="700" fill="{TEXT}">'
             f"{escape(title)}</text>",
             f'<line x1="{left}" y1="{top - 2}" x2="{left}" y2="{height - 4}" '
             f'stroke="{GREY}" stroke-width="0.6"/>']
    for i, bar in enumerate(bars):
        cy = top + i * row_h
        parts.append(f'<text x="{left - 5}" y="{cy + 10}" font-size="9" text-anchor="end" '
                     f'fill="{TEXT}">{escape(bar.name)}</text>')
        w = 0.0 if bar.value is None else plot_w * min(max(float(bar.value), 0.0), peak) / peak
        if w > 0:
            parts.append(f'<rect x="{left}" y="{cy + 2}" width="{w:.1f}" '
                         f'height="{row_h - 5}" fill="{BLUE}"/>')
        colour = TEXT if bar.value is not None else GREY
        parts.append(f'<text x="{left + w + 4:.1f}" y="{cy + 10}" font-size="9" '
                     f'fill="{colour}">{escape(bar.text)}</text>')
    parts.append("</svg>")
    return "".join(parts)


def _svg_open(width: int, height: int, font_family: str) -> str:
    family = escape(font_family, quote=True)
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
            f'viewBox="0 0 {width} {height}" font-family="{family}">')
