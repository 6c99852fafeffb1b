"""Charts drawn on the server as SVG: simple, labelled, readable without
colour (every bar carries its number; a suppressed figure is drawn as an
empty, dashed bar that says so, never as zero). Each chart on a page sits
beside the table behind it."""

from __future__ import annotations

from dataclasses import dataclass

from markupsafe import Markup, escape

INK = "#1b1b1b"
BAR = "#154273"  # lintblauw of the Rijkshuisstijl: 10.9:1 on white
MUTED = "#535353"
GRID = "#cccccc"


@dataclass(frozen=True)
class Bar:
    label: str
    value: float | None  # None: suppressed
    shown: str  # the number as the bar says it ("12", "48%")
    note: str = ""  # e.g. why it is suppressed


def _text(x, y, text, anchor="start", size=13, fill=INK, weight="normal") -> str:
    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'fill="{fill}" font-weight="{weight}">{escape(text)}</text>'
    )


def bar_chart(chart_id: str, title: str, bars: list[Bar], maximum: float | None = None, width: int = 640) -> Markup:
    """Horizontal bars, one row per label, the number at the end of each bar."""
    row, top = 30, 8
    label_width = min(170, 16 + 8 * max([len(b.label[:26]) for b in bars] or [1]))
    height = top + row * max(1, len(bars)) + 8
    largest = maximum or max([b.value for b in bars if b.value is not None] or [1]) or 1
    span = width - label_width - min(140, width // 4)
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
    ]
    for index, bar in enumerate(bars):
        y = top + index * row
        parts.append(_text(label_width - 8, y + 19, bar.label[:26], anchor="end"))
        if bar.value is None:
            parts.append(
                f'<rect x="{label_width}" y="{y + 5}" width="{span:.1f}" height="20" fill="none" '
                f'stroke="{MUTED}" stroke-dasharray="4 3"/>'
            )
            parts.append(_text(label_width + 8, y + 19, bar.note or bar.shown, fill=MUTED, size=12))
            continue
        length = max(1.0, span * bar.value / largest) if bar.value else 0
        parts.append(f'<rect x="{label_width}" y="{y + 5}" width="{length:.1f}" height="20" fill="{BAR}"/>')
        parts.append(_text(label_width + length + 6, y + 19, bar.shown, weight="bold"))
    parts.append(f'<line x1="{label_width}" y1="{top}" x2="{label_width}" y2="{height - 8}" stroke="{GRID}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


def line_chart(chart_id: str, title: str, points: list[Bar], width: int = 640, height: int = 220) -> Markup:
    """Shares (0-1) over weeks as a line with its points; a suppressed week
    is a gap in the line with a dashed mark at the bottom."""
    left, right, top, bottom = 48, 16, 12, 48
    inner_w, inner_h = width - left - right, height - top - bottom
    step = inner_w / max(1, len(points) - 1)
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
    ]
    for share in (0, 0.5, 1):
        y = top + inner_h * (1 - share)
        parts.append(f'<line x1="{left}" y1="{y:.1f}" x2="{width - right}" y2="{y:.1f}" stroke="{GRID}"/>')
        parts.append(_text(left - 6, y + 4, f"{round(share * 100)}%", anchor="end", size=12, fill=MUTED))
    path, segment = [], []
    for index, point in enumerate(points):
        x = left + (index * step if len(points) > 1 else inner_w / 2)
        if index % max(1, len(points) // 6) == 0 or index == len(points) - 1:
            parts.append(_text(x, height - bottom + 18, point.label, anchor="middle", size=11, fill=MUTED))
        if point.value is None:
            parts.append(
                f'<line x1="{x:.1f}" y1="{top + inner_h - 6:.1f}" x2="{x:.1f}" y2="{top + inner_h:.1f}" '
                f'stroke="{MUTED}" stroke-dasharray="2 2"/>'
            )
            if segment:
                path.append(segment)
            segment = []
            continue
        y = top + inner_h * (1 - point.value)
        segment.append((x, y))
        parts.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{BAR}"/>')
        parts.append(_text(x, y - 8, point.shown, anchor="middle", size=11, weight="bold"))
    if segment:
        path.append(segment)
    for line in path:
        if len(line) > 1:
            coordinates = " ".join(f"{x:.1f},{y:.1f}" for x, y in line)
            parts.append(f'<polyline points="{coordinates}" fill="none" stroke="{BAR}" stroke-width="2"/>')
    parts.append("</svg>")
    return Markup("".join(parts))


@dataclass(frozen=True)
class Shift:
    label: str
    points: int
    margin: int


def shift_chart(chart_id: str, title: str, shifts: list[Shift], width: int = 640) -> Markup:
    """Shifts in percentage points as bars left (down) or right (up) of a
    zero line, each with its margin as a whisker and its number written
    out ("+12 ± 4"), so the chart reads without colour."""
    row, top = 30, 8
    label_width = min(170, 16 + 8 * max([len(s.label[:26]) for s in shifts] or [1]))
    height = top + row * max(1, len(shifts)) + 8
    reach = max([abs(s.points) + s.margin for s in shifts] or [1]) or 1
    half = (width - label_width - 110) / 2
    zero = label_width + half
    parts = [
        f'<svg class="chart" id="{escape(chart_id)}" viewBox="0 0 {width} {height}" width="100%" '
        f'role="img" aria-labelledby="{escape(chart_id)}-title" preserveAspectRatio="xMinYMin meet">',
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>',
    ]
    for index, shift in enumerate(shifts):
        y = top + index * row
        parts.append(_text(label_width - 8, y + 19, shift.label[:26], anchor="end"))
        end = zero + half * shift.points / reach
        parts.append(
            f'<rect x="{min(zero, end):.1f}" y="{y + 5}" width="{max(1.0, abs(end - zero)):.1f}" height="20" '
            f'fill="{BAR}"/>'
        )
        low, high = (
            zero + half * (shift.points - shift.margin) / reach,
            zero + half * (shift.points + shift.margin) / reach,
        )
        parts.append(
            f'<line x1="{low:.1f}" y1="{y + 15}" x2="{high:.1f}" y2="{y + 15}" stroke="{INK}" stroke-width="1.5"/>'
        )
        for x in (low, high):
            parts.append(
                f'<line x1="{x:.1f}" y1="{y + 9}" x2="{x:.1f}" y2="{y + 21}" stroke="{INK}" stroke-width="1.5"/>'
            )
        parts.append(_text(zero + half + 8, y + 19, f"{shift.points:+d} ± {shift.margin}", weight="bold"))
    parts.append(f'<line x1="{zero:.1f}" y1="{top}" x2="{zero:.1f}" y2="{height - 8}" stroke="{MUTED}"/>')
    parts.append("</svg>")
    return Markup("".join(parts))
