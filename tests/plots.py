"""Reading our pages as a user's browser would: the figure JSON a chart is drawn from."""

from __future__ import annotations

import json


def figure_data(html: str, div_id: str) -> dict:
    """The Plotly figure that survey.charts.to_html embedded for the chart `div_id`."""
    marker = f'id="{div_id}-figure">'
    start = html.index(marker) + len(marker)
    return json.loads(html[start : html.index("</script>", start)])
