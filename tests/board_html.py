"""Reading the board pages as a user (or a script) would: the tables' text and the figure
JSON each chart is drawn from."""

from __future__ import annotations

import json
import re
from decimal import ROUND_HALF_UP, Decimal
from html.parser import HTMLParser


def figure_data(html: str, div_id: str) -> dict:
    """The Plotly figure that survey.charts.to_html embedded for the chart `div_id`."""
    marker = f'id="{div_id}-figure">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start : html.index("</script>", start)])


def figure_ids(html: str) -> list[str]:
    return re.findall(r'<script type="application/json" id="([^"]+)-figure">', html)


class _Tables(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._table: str | None = None
        self._cell: list[str] | None = None

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._table = dict(attrs).get("id", f"table-{len(self.tables)}")
            self.tables[self._table] = []
        elif tag == "tr" and self._table:
            self.tables[self._table].append([])
        elif tag in ("td", "th") and self._table:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._table:
            self.tables[self._table][-1].append(" ".join("".join(self._cell).split()))
            self._cell = None
        elif tag == "table":
            self._table = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)


def tables(html: str) -> dict[str, list[list[str]]]:
    """Every table by its id: rows of cell texts (header row first)."""
    parser = _Tables()
    parser.feed(html)
    return parser.tables


def rows_by_key(table: list[list[str]]) -> dict[str, list[str]]:
    """Body rows keyed by their first cell, less the level description a dimension's name
    may carry ("… Närmast nivå 3: …")."""
    return {
        re.split(r" (?:Närmast nivå|Closest to level) ", row[0])[0]: row[1:] for row in table[1:]
    }


def sv(value: float) -> str:
    """A mean as the Swedish pages print it: two decimals, half away from zero (done here
    independently of survey.results.rounding), with a decimal comma."""
    exact = Decimal(repr(float(value))).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    return f"{exact:.2f}".replace(".", ",")
