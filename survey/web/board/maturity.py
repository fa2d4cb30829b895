"""The board's maturity page: current, rated now, desired, gap, national now and
agreement per dimension (survey/maturity/picture.py); registered on the board blueprint."""

from __future__ import annotations

import datetime as dt

from flask import Response, render_template

from survey.exports.maturity_sheets import actions_csv
from survey.i18n import translate
from survey.maturity import actions
from survey.maturity.comments import board_comments
from survey.maturity.next_steps import next_steps
from survey.maturity.picture import MaturityPicture, maturity_picture
from survey.results import colours
from survey.web import charts, params
from survey.web.board.figures import Chart
from survey.web.board.routes import bp
from survey.web.security import draws_charts
from survey.web.shell import db, lang, settings


def levels_radar(picture: MaturityPicture, language: str) -> Chart:
    """Three traces: the level rated now, the desired level, the national now."""
    rows = picture.rows
    now = charts.Series(
        translate(language, "Level now"),
        [None if r.now.hidden else r.now.mean for r in rows],
        colours.OWN,
        n=[r.now.n for r in rows],
    )
    want = charts.Series(
        translate(language, "Desired level in two years"),
        [None if r.want.hidden else r.want.mean for r in rows],
        colours.GROUPS[1],
        n=[r.want.n for r in rows],
    )
    national = charts.Series(
        translate(language, "National reference, level now"),
        [r.national_now for r in rows],
        colours.NATIONAL,
        dashed=True,
    )
    agreed = charts.Series(
        translate(language, "Agreed level (workshop)"),
        [r.agreed_now for r in rows],
        colours.GROUPS[2],
    )
    if now.empty and want.empty:
        return charts.nothing_to_show(language, translate(language, "the levels"), picture.k)
    title = translate(
        language,
        "%(name)s, round %(label)s: level now and desired",
        name=picture.association.name,
        label=picture.round.label,
    )
    return charts.radar(
        [r.name for r in rows],
        [now, want, national, *([] if agreed.empty else [agreed])],
        title,
        lang=language,
    )


@bp.get("/f/<slug>/maturity")
@draws_charts
def maturity(slug: str):
    language = lang()
    picture = maturity_picture(
        db(),
        slug,
        params.arg("round"),
        settings().min_group_size,
        language,
        reference_minimum=settings().min_reference_associations,
    )
    label = picture.round.label
    radar = charts.to_html(
        levels_radar(picture, language), "levels", f"samverkansmataren-{slug}-{label}-levels"
    )
    plan = actions.action_plan(
        db(), picture.history, settings().min_group_size, language, dt.date.today()
    )
    return render_template(
        "board/maturity.html",
        plan=plan,
        steps=next_steps(picture, plan.rows, plan),
        comments=board_comments(db(), picture.round.id, settings().min_group_size),
        status_words=actions.STATUS_WORDS,
        names={row.code: row.name for row in picture.rows},
        picture=picture,
        association=picture.association,
        round=picture.round,
        rounds=picture.history.rounds,
        radar=radar,
        k=picture.k,
    )


@bp.get("/f/<slug>/actions.csv")
def actions_csv_download(slug: str):
    """The förbund's actions as CSV (aggregates and plans only: no respondent data)."""
    picture = maturity_picture(
        db(),
        slug,
        params.arg("round"),
        settings().min_group_size,
        lang(),
        reference_minimum=settings().min_reference_associations,
    )
    rows = actions.actions_of(db(), picture.association.id)
    data = actions_csv(rows, dt.date.today(), lang())
    name = f"samverkansmataren-atgarder-{slug}.csv"
    return Response(
        data,
        mimetype="text/csv",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )
