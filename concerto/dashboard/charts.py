"""Charts drawn on the server as SVG, each with the table behind it (``templates/dashboard/participation``).

A chart is a plain dict of geometry the template turns into ``<svg role="img">`` with a ``<title>``
and a ``<desc>``: every bar carries its figure as text next to it (direct labels), so nothing is
told by colour alone; a hidden figure (a group under 5) is drawn as a hatched stub with the words
"fewer than 5". No JavaScript, no inline style (the CSP forbids it): classes of ``participation.css``.
"""

from django.utils.formats import number_format
from django.utils.translation import gettext as _

BAR_HEIGHT = 28
BAR_GAP = 12
LABEL_WIDTH = 200
CHART_WIDTH = 560
STUB = 8  # width of the hatched stub of a hidden figure


def figure_text(value) -> str:
    """A figure as the pages print it: "fewer than 5" for a hidden one."""
    return _("fewer than 5") if value is None else number_format(value, force_grouping=True)


def bar_chart(*, key: str, title: str, desc: str, rows: list[tuple[str, int | None]], note: str = "") -> dict:
    """Horizontal bars, one per ``(label, value)``; ``value`` None is a hidden small group."""
    peak = max([v for _label, v in rows if v] or [1])
    span = CHART_WIDTH - LABEL_WIDTH - 110  # room left for the figure after the longest bar
    bars = []
    for i, (label, value) in enumerate(rows):
        y = BAR_GAP + i * (BAR_HEIGHT + BAR_GAP)
        width = STUB if value is None else (round(span * value / peak) if value else 0)
        bars.append({"label": label, "value": value, "text": figure_text(value), "y": y, "text_y": y + 19,
                     "width": width, "hidden": value is None, "text_x": LABEL_WIDTH + width + 8})
    height = BAR_GAP + len(rows) * (BAR_HEIGHT + BAR_GAP)
    return {"key": key, "kind": "bars", "title": title, "desc": desc, "note": note, "bars": bars,
            "width": CHART_WIDTH, "height": max(height, 40), "label_x": LABEL_WIDTH - 8, "bar_x": LABEL_WIDTH,
            "bar_height": BAR_HEIGHT}


COLUMN_WIDTH = 44
COLUMN_GAP = 10
PLOT_HEIGHT = 180
TOP = 26
AXIS_ROOM = 44


def column_chart(*, key: str, title: str, desc: str, rows: list[tuple[str, int | None]]) -> dict:
    """Vertical columns over time, one per ``(period label, value)``, each with its figure above."""
    peak = max([v for _label, v in rows if v] or [1])
    columns = []
    for i, (label, value) in enumerate(rows):
        x = COLUMN_GAP + i * (COLUMN_WIDTH + COLUMN_GAP)
        height = STUB if value is None else (round(PLOT_HEIGHT * value / peak) if value else 0)
        top = TOP + PLOT_HEIGHT - height
        columns.append({"label": label, "value": value, "text": "<5" if value is None else figure_text(value),
                        "x": x, "mid": x + COLUMN_WIDTH // 2, "y": top, "height": height, "hidden": value is None,
                        "text_y": top - 6})
    width = max(COLUMN_GAP + len(rows) * (COLUMN_WIDTH + COLUMN_GAP), 200)
    return {"key": key, "kind": "columns", "title": title, "desc": desc, "columns": columns, "width": width,
            "height": TOP + PLOT_HEIGHT + AXIS_ROOM, "column_width": COLUMN_WIDTH, "base_y": TOP + PLOT_HEIGHT,
            "label_y": TOP + PLOT_HEIGHT + 18}
