"""Server-rendered SVG charts of the statistics (no JavaScript, accessible: ``role="img"``,
``<title>`` and ``<desc>``; the numbers are always printed in a table next to the chart too)."""

from __future__ import annotations

from markupsafe import Markup, escape

from workflow.level_labels import czech_top_level_labels

#: Colours per fulfilment status (calm, distinguishable, print-safe).
COLOURS = {
    "done": "#2e7d32",
    "ongoing": "#66a36b",
    "partial": "#e0a82e",
    "not_done": "#c0392b",
    "not_started": "#8e6c8a",
    "cannot_assess": "#7f8c8d",
    "cancelled": "#4a4a4a",
    "unknown": "#c9d1d9",
}
#: Statuses whose colour is light: their numbers are printed in dark text.
LIGHT = {"partial", "unknown", "ongoing"}


def _svg_open(chart_id: str, width: int, height: int) -> str:
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" class="chart" role="img" viewBox="0 0 {width} {height}" '
        f'width="{width}" height="{height}" aria-labelledby="{chart_id}-t {chart_id}-d">'
    )


def stacked_bars(
    chart_id: str, title: str, rows: list[tuple[str, dict[str, int]]], keys: list[str], titles: dict[str, str]
) -> Markup:
    """A horizontal stacked bar chart: one bar per ``(label, {key: count})`` row.

    :returns: the ``<svg>`` element as safe markup (``aria-labelledby`` its title and description).
    """
    bar_h, gap, left, width = 22, 10, 200, 430
    legend_h = 22 * ((len(keys) + 3) // 4)
    height = len(rows) * (bar_h + gap) + legend_h + 20
    biggest = max([sum(c.values()) for _, c in rows] + [1])
    desc = "; ".join(
        f"{label}: " + ", ".join(f"{titles[k]} {c.get(k, 0)}" for k in keys if c.get(k, 0))
        for label, c in rows
    )
    parts = [
        _svg_open(chart_id, left + width + 40, height),
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    y = 10
    for label, counts in rows:
        parts.append(
            f'<text x="{left - 8}" y="{y + 15}" text-anchor="end" font-size="12">{escape(label)}</text>'
        )
        x = float(left)
        for key in keys:
            n = counts.get(key, 0)
            if not n:
                continue
            w = width * n / biggest
            parts.append(
                f'<rect x="{x:.1f}" y="{y}" width="{w:.1f}" height="{bar_h}" '
                f'fill="{COLOURS.get(key, "#999")}">'
                f"<title>{escape(titles[key])}: {n}</title></rect>"
            )
            if w > 18:
                parts.append(
                    f'<text x="{x + w / 2:.1f}" y="{y + 15}" text-anchor="middle" font-size="11" '
                    f'fill="{"#1b1f23" if key in LIGHT else "#fff"}">{n}</text>'
                )
            x += w
        parts.append(f'<text x="{x + 6:.1f}" y="{y + 15}" font-size="11">{sum(counts.values())}</text>')
        y += bar_h + gap
    for i, key in enumerate(keys):
        lx, ly = 10 + (i % 4) * 160, y + 8 + (i // 4) * 22
        parts.append(
            f'<rect x="{lx}" y="{ly}" width="12" height="12" fill="{COLOURS.get(key, "#999")}"/>'
            f'<text x="{lx + 18}" y="{ly + 11}" font-size="11">{escape(titles[key])}</text>'
        )
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704 # noqa: S704 - every text part above went through escape()


def percent_bars(chart_id: str, title: str, rows: list[tuple[str, int | None]]) -> Markup:
    """A horizontal bar per ``(label, percent)``; ``None`` is drawn as „–“ (nothing submitted)."""
    bar_h, gap, left, width = 20, 8, 150, 400
    height = len(rows) * (bar_h + gap) + 10
    desc = "; ".join(f"{label}: {'–' if v is None else f'{v} %'}" for label, v in rows)
    parts = [
        _svg_open(chart_id, left + width + 60, height),
        f'<title id="{chart_id}-t">{escape(title)}</title><desc id="{chart_id}-d">{escape(desc)}</desc>',
    ]
    y = 5
    for label, value in rows:
        parts.append(
            f'<text x="{left - 8}" y="{y + 14}" text-anchor="end" font-size="12">{escape(label)}</text>'
        )
        parts.append(f'<rect x="{left}" y="{y}" width="{width}" height="{bar_h}" fill="#eef1f4"/>')
        if value is not None:
            parts.append(
                f'<rect x="{left}" y="{y}" width="{width * value / 100:.1f}" height="{bar_h}" '
                'fill="#1f5f8b"/>'
            )
        parts.append(
            f'<text x="{left + width + 6}" y="{y + 14}" font-size="11">'
            f'{"–" if value is None else f"{value} %"}</text>'
        )
        y += bar_h + gap
    parts.append("</svg>")
    return Markup("".join(parts))  # nosec B704 # noqa: S704 - every text part above went through escape()


def statistics_charts(stats: dict) -> dict[str, Markup]:  # type: ignore[type-arg]
    """The charts of :func:`workflow.statistics.round_statistics`' result, by name; their titles
    are Czech, as the report's (the chart by the plan's top level is named by
    :func:`workflow.level_labels.czech_top_level_labels`: „… v okruzích“ only for the okruh)."""
    keys, titles = stats["statuses"], stats["titles"]
    used = [k for k in keys if any(b["counts"].get(k) for b in stats["by_area"] + stats["by_body"])] or keys[
        -1:
    ]
    return {
        "by_area": stacked_bars(
            "graf-okruhy",
            czech_top_level_labels(stats.get("area_level")).chart_title,
            [(f"{b['code']} {b['title']}"[:32], b["counts"]) for b in stats["by_area"]],
            used,
            titles,
        ),
        "by_body": stacked_bars(
            "graf-subjekty",
            "Schválené odpovědi podle stavu plnění a subjektu",
            [(b["body"], b["counts"]) for b in stats["by_body"]],
            used,
            titles,
        ),
        "on_time": percent_bars(
            "graf-vcas",
            "Podíl odpovědí odevzdaných včas podle subjektu",
            [(b["body"], b["rate"]) for b in stats["on_time"]],
        ),
    }
