"""Board pages: the list of förbund, a förbund's dashboard, its statements, its printable
board report and its figures as JSON, and the comparison of förbund in a round."""

from __future__ import annotations

from dataclasses import asdict

from flask import Blueprint, jsonify, render_template, request
from sqlalchemy import select

from survey.db import models
from survey.results import breakdowns, comparisons, drilldown, overview, scoring
from survey.rounds import associations, lifecycle
from survey.web import db, lang, settings
from survey.web.board import charts, figures

bp = Blueprint("board", __name__)


def _k() -> int:
    return settings().min_group_size


def _chosen_round(slug: str):
    session = db()
    association = associations.find_association(session, slug)
    return association, lifecycle.find_round(session, association, request.args.get("round"))


def _filename(*parts: str) -> str:
    return "-".join(["samverkansmataren", *parts])


@bp.get("/")
def index():
    associations = db().scalars(select(models.Association).order_by(models.Association.name))
    return render_template("board/index.html", associations=list(associations))


@bp.get("/f/<slug>")
def dashboard(slug: str):
    return _round_page(slug, "board/dashboard.html")


@bp.get("/f/<slug>/report")
def report(slug: str):
    return _round_page(slug, "board/report.html")


def _round_page(slug: str, template: str):
    session, language, k = db(), lang(), _k()
    association, rnd = _chosen_round(slug)
    summary = overview.round_overview(session, rnd, k, language)
    trend = breakdowns.trend(session, rnd, k, language)
    by_role = breakdowns.breakdown(session, rnd, k, language, "role")
    by_agency = breakdowns.breakdown(session, rnd, k, language, "agency")
    scale = overview.scale_labels(rnd, language)
    name, label = association.name, rnd.label
    charts_html = {
        "radar": figures.overview_radar(summary, language),
        "trend": figures.breakdown_radar(trend, name, label, language),
        "roles": figures.breakdown_radar(by_role, name, label, language),
        "agencies": figures.breakdown_radar(by_agency, name, label, language),
        "distribution": figures.overview_distribution(summary, scale, language),
    }
    return render_template(
        template,
        association=association,
        round=rnd,
        rounds=lifecycle.rounds_of(session, association),
        overview=summary,
        trend=trend,
        by_role=by_role,
        by_agency=by_agency,
        scale=scale,
        national_name=figures.national_name(language),
        charts={
            key: charts.to_html(fig, key, _filename(slug, label, key))
            for key, fig in charts_html.items()
        },
    )


@bp.get("/f/<slug>/items")
def items(slug: str):
    session, language, k = db(), lang(), _k()
    association, rnd = _chosen_round(slug)
    dimension = request.args.get("dimension") or None
    sections = drilldown.item_drilldown(session, rnd, k, language, dimension)
    scale = overview.scale_labels(rnd, language)
    plots = {
        s.dimension.code: charts.to_html(
            figures.items_distribution(s, scale, k, language),
            f"items-{s.dimension.code}",
            _filename(slug, rnd.label, s.dimension.code),
        )
        for s in sections
    }
    return render_template(
        "board/items.html",
        association=association,
        round=rnd,
        rounds=lifecycle.rounds_of(session, association),
        dimensions=[
            (d.code, overview.dimension_name(d, language)) for d in rnd.questionnaire.dimensions
        ],
        dimension=dimension,
        sections=sections,
        previous=lifecycle.previous_round(session, rnd),
        scale=scale,
        plots=plots,
        k=scoring.effective_k(k),
    )


@bp.get("/f/<slug>/data.json")
def data(slug: str):
    """The dashboard's numbers for other tools; suppressed groups carry n and no figures."""
    session, language, k = db(), lang(), _k()
    association, rnd = _chosen_round(slug)
    summary = overview.round_overview(session, rnd, k, language)
    return jsonify(
        {
            "association": {"slug": association.slug, "name": association.name},
            "round": rnd.label,
            "previous_round": summary.previous_label,
            "min_group_size": summary.k,
            "respondents": summary.respondents,
            "dimensions": [asdict(row) for row in summary.rows],
            "by_role": _table_json(breakdowns.breakdown(session, rnd, k, language, "role")),
            "by_agency": _table_json(breakdowns.breakdown(session, rnd, k, language, "agency")),
        }
    )


def _table_json(table: breakdowns.Breakdown) -> list[dict]:
    return [
        {
            "dimension": row.code,
            "groups": [
                {"code": col.key, "label": col.label, **_cell_json(cell)}
                for col, cell in zip(table.columns, row.cells, strict=True)
            ],
            "gap": asdict(row.gap) if row.gap else None,
        }
        for row in table.rows
    ]


def _cell_json(cell: scoring.GroupStat) -> dict:
    return {k: v for k, v in asdict(cell).items() if k not in ("round_id", "dimension", "group")}


@bp.get("/compare")
def compare():
    session, language, k = db(), lang(), _k()
    labels = comparisons.round_labels(session)
    label = request.args.get("round") or (labels[0] if labels else None)
    own = request.args.get("f") or None
    peers = [p for p in dict.fromkeys(request.args.getlist("peer")) if p and p != own]
    if label is None:
        return render_template("board/compare.html", labels=[], picture=None)
    key = None
    for slug in filter(None, [own, *peers]):
        association = associations.find_association(session, slug)  # unknown förbund: 404
        rnd = lifecycle.find_round(session, association, label)  # no such round: 404
        key = key or rnd.questionnaire.key
    picture = comparisons.national_picture(session, label, k, language, key)
    too_many = len(peers) > comparisons.MAX_PEERS
    radar = None
    if own and not too_many:
        radar = charts.to_html(
            figures.peers_radar(picture, [own, *peers], language),
            "peers",
            _filename("jamforelse", label),
        )
    heatmap = charts.to_html(
        figures.picture_heatmap(picture, language), "heatmap", _filename("alla", label)
    )
    chosen = [picture.series(s) for s in [own, *peers]] if own and not too_many else []
    page = render_template(
        "board/compare.html",
        labels=labels,
        label=label,
        own=own,
        peers=peers,
        picture=picture,
        chosen=chosen,
        radar=radar,
        heatmap=heatmap,
        too_many=too_many,
        max_peers=comparisons.MAX_PEERS,
        national_name=figures.national_name(language),
    )
    return page, 400 if too_many else 200
