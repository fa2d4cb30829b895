"""Board pages: the list of förbund, a förbund's dashboard, its statements, its printable
board report and its figures as JSON, and the comparison of förbund in a round."""

from __future__ import annotations

from dataclasses import asdict
from datetime import date

from flask import Blueprint, Response, abort, current_app, jsonify, render_template, request
from sqlalchemy import select

from survey import disclosure
from survey.db import models
from survey.i18n import translate
from survey.maturity.actions import STATUS_WORDS
from survey.maturity.agreed import agreed_plan
from survey.maturity.next_steps import round_next_steps
from survey.results import breakdowns, comparisons, pages, scoring
from survey.results.publication import NotPublished
from survey.web import access, charts, params
from survey.web.board import figures, pdf
from survey.web.security import draws_charts
from survey.web.session import current_principal
from survey.web.shell import db, lang, settings

bp = Blueprint("board", __name__)


@bp.errorhandler(NotPublished)
def not_published(exc: NotPublished):
    """An open or closed round has no figures yet: its counts, never by role or agency."""
    history, counts = exc.history, exc.counts
    if request.endpoint == "board.data":
        return jsonify(
            {
                "association": {"slug": history.association.slug, "name": history.association.name},
                "round": history.round.label,
                "published": False,
                "invited": counts.personal_links,
                "submitted": counts.submitted,
                "response_rate": counts.response_rate,
            }
        )
    return render_template(
        "board/not_published.html",
        association=history.association,
        round=history.round,
        rounds=history.rounds,
        counts=counts,
    )


def _k() -> int:
    return settings().min_group_size


def _reference_minimum() -> int:
    return settings().min_reference_associations


def _filename(*parts: str) -> str:
    return "-".join(["samverkansmataren", *parts])


@bp.get("/")
def index():
    """What the tool is, and for a signed-in user the förbund whose pages they may open."""
    see = access.Sight(current_principal(), db())
    everyone = db().scalars(select(models.Association).order_by(models.Association.name))
    mine = [a for a in everyone if see.may_open(a.slug)]
    return render_template("board/index.html", associations=mine, user=see.user)


@bp.get("/f/<slug>")
@draws_charts
def dashboard(slug: str):
    return _round_page(slug, "board/dashboard.html")


@bp.get("/f/<slug>/report")
@draws_charts
def report(slug: str):
    context = _round_context(slug)
    plan = agreed_plan(db(), context["round"], date.today())
    return render_template("board/report.html", plan=plan, status_words=STATUS_WORDS, **context)


@bp.get("/f/<slug>/report.pdf")
def report_pdf(slug: str):
    """The board report printed to PDF on the server by headless Chromium (where it exists;
    else the report page offers the browser's print and this answers 404)."""
    chromium = settings().chromium_path
    if not pdf.available(chromium):
        abort(404)
    context = _round_context(slug)
    plan = agreed_plan(db(), context["round"], date.today())
    html = render_template("board/report.html", plan=plan, status_words=STATUS_WORDS, **context)
    language = lang()
    running = pdf.Running(
        title=translate(
            language,
            "%(name)s – round %(round)s",
            name=context["association"].name,
            round=context["round"].label,
        ),
        page_of=translate(
            language, "Page %(page)s of %(pages)s", page="%(page)s", pages="%(pages)s"
        ),
        printed=translate(language, "Printed %(date)s", date=date.today().isoformat()),
    )
    document = pdf.report_pdf(current_app._get_current_object(), html, chromium, running)
    name = _filename("styrelserapport", slug, params.arg("round") or "senaste") + ".pdf"
    return Response(
        document,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


def _round_page(slug: str, template: str):
    return render_template(template, **_round_context(slug))


def _round_context(slug: str) -> dict:
    """What the dashboard and the report show of one round (one call of the core)."""
    language, k = lang(), _k()
    page = pages.round_report(
        db(), slug, params.arg("round"), k, language, reference_minimum=_reference_minimum()
    )
    name, label = page.association.name, page.round.label
    charts_html = {
        "radar": figures.overview_radar(page.overview, language),
        "trend": figures.breakdown_radar(page.trend, name, label, language),
        "change": figures.change_chart(page.overview, language),
        "roles": figures.breakdown_radar(page.by_role, name, label, language),
        "agencies": figures.breakdown_radar(page.by_agency, name, label, language),
        "distribution": figures.overview_distribution(page.overview, page.scale, language),
    }
    return dict(
        association=page.association,
        round=page.round,
        rounds=page.rounds,
        overview=page.overview,
        trend=page.trend,
        by_role=page.by_role,
        by_agency=page.by_agency,
        scale=page.scale,
        national_name=figures.national_name(language),
        pdf_available=pdf.available(settings().chromium_path),
        steps=round_next_steps(db(), page.history, page.overview.rows, k, date.today()),
        charts={
            key: charts.to_html(fig, key, _filename(slug, label, key))
            for key, fig in charts_html.items()
        },
    )


@bp.get("/f/<slug>/items")
@draws_charts
def items(slug: str):
    language, k = lang(), _k()
    dimension = params.arg("dimension")
    page = pages.statements_page(db(), slug, params.arg("round"), k, language, dimension)
    plots = {
        s.dimension.code: charts.to_html(
            figures.items_distribution(s, page.scale, k, language),
            f"items-{s.dimension.code}",
            _filename(slug, page.round.label, s.dimension.code),
        )
        for s in page.sections
    }
    return render_template(
        "board/items.html",
        association=page.association,
        round=page.round,
        rounds=page.rounds,
        dimensions=page.dimensions,
        dimension=dimension,
        sections=page.sections,
        previous=page.previous,
        scale=page.scale,
        plots=plots,
        k=disclosure.effective_k(k),
    )


@bp.get("/f/<slug>/data.json")
def data(slug: str):
    """The dashboard's numbers for other tools; suppressed groups carry n and no figures."""
    language, k = lang(), _k()
    page = pages.round_report(
        db(),
        slug,
        params.arg("round"),
        k,
        language,
        trend=False,
        reference_minimum=_reference_minimum(),
    )
    summary = page.overview
    return jsonify(
        {
            "association": {"slug": page.association.slug, "name": page.association.name},
            "round": page.round.label,
            "previous_round": summary.previous_label,
            "min_group_size": summary.k,
            "respondents": summary.respondents,
            "dimensions": [asdict(row) for row in summary.rows],
            "by_role": _table_json(page.by_role),
            "by_agency": _table_json(page.by_agency),
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
@draws_charts
def compare():
    session, language, k = db(), lang(), _k()
    labels = comparisons.round_labels(session)
    label = params.arg("round") or (labels[0] if labels else None)
    own = params.arg("f")
    peers = [p for p in dict.fromkeys(params.args("peer")) if p != own]
    if label is None:
        return render_template("board/compare.html", labels=[], picture=None)
    # Unknown förbund, one without a round of this label, or one this user may not see
    # by name: 404.
    see = access.Sight(current_principal(), session)
    by_name = [s for s in [own, *peers] if s and not s.startswith(comparisons.ALIAS)]
    picture = comparisons.visible_picture(
        session, label, by_name, k, language, see.named, reference_minimum=_reference_minimum()
    )
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
        may_open=see.may_open,
    )
    return page, 400 if too_many else 200


from survey.web.board import maturity as _maturity  # noqa: E402,F401  (its routes join bp)
