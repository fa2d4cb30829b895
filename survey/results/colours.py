"""One colour per meaning, for every chart the app draws (plotly on the pages, the native
chart of the board workbook): our förbund, the national reference, each round by its
place (this round, the previous one, earlier ones), each compared group (a role or member
agency by its place among the questionnaire's choices, a chosen förbund by its place in
the choice), each point of the answer scale.

Okabe–Ito for the series, and Paul Tol's muted colours after its four group colours, all
readable with the common colour-vision deficiencies; a brown–teal diverging scale for the
answer points, so no answer colour is also a series colour. A chart's legend names each.
"""

from __future__ import annotations

#: Our förbund — and so its round being shown: one meaning, one colour.
OWN = "#0072B2"
#: The national reference (dashed wherever drawn).
NATIONAL = "#000000"
#: Rounds by place: this round (our förbund), the previous round, every earlier round.
ROUNDS = (OWN, "#56B4E9", "#999999")
#: Compared groups by place: roles, member agencies, chosen förbund.
GROUPS = (
    "#E69F00",
    "#009E73",
    "#CC79A7",
    "#D55E00",
    "#332288",
    "#882255",
    "#44AA99",
    "#999933",
)
#: The answer points 1–5: brown (disagree) … grey … teal (agree).
SCALE = ("#A6611A", "#DFC27D", "#C8C8C8", "#80CDC1", "#018571")
#: Cividis: a sequential scale for values (the heat map), not for meanings.
HEATMAP = "Cividis"


def round_colour(rounds_before: int) -> str:
    """The colour of a round that lies `rounds_before` rounds before the one shown."""
    return ROUNDS[min(rounds_before, len(ROUNDS) - 1)]


def group_colour(position: int) -> str:
    """The colour of the compared group at this place (cycling after eight)."""
    return GROUPS[position % len(GROUPS)]


def excel(colour: str) -> str:
    """The same colour as Excel writes it (RRGGBB, no '#')."""
    return colour.lstrip("#").upper()
