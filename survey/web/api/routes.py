"""The read-only API's operations (/api/v1): each parses its arguments, calls one function
of the core (the board pages' own `pages.round_report` for figures, the research export's
code for rows, through `row_pages`) and dumps the answer through its schema. Who may call:
a personal API token (survey/accounts/api_tokens.py), checked before every operation."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from flask import Response, current_app, g, request, url_for

from survey.accounts import api_tokens
from survey.db import audit
from survey.errors import ApiDenied, NotFound
from survey.exports import row_pages
from survey.exports.selection import ExportFilter
from survey.results import listing, pages
from survey.results.overview import dimension_name
from survey.web import params
from survey.web.api import errors, schemas
from survey.web.api.blueprint import ApiBlueprint
from survey.web.shell import db, settings

bp = ApiBlueprint(
    "api",
    __name__,
    url_prefix="/api/v1",
    description="Published figures and recoded research rows, read with a personal API token.",
)


@bp.before_request
def authenticate() -> None:
    """The bearer token, or a JSON 401 and nothing written; cookies never count here."""
    g.api_caller = api_tokens.authenticate(
        db(), request.headers.get("Authorization"), audit.utcnow(), request.full_path
    )


@bp.after_request
def not_stored(response: Response) -> Response:
    response.headers.setdefault("Cache-Control", "no-store")
    return response


def _caller() -> api_tokens.Caller:
    return g.api_caller


def _visible(slug: str) -> None:
    if not _caller().may_see(slug):
        raise ApiDenied("forbidden", "This token may not read this förbund.", status=403)


def _forbund(association: Any) -> dict[str, Any]:
    slug = association.slug
    return {
        "slug": slug,
        "name": association.name,
        "links": {
            "self": url_for("api.forbund", slug=slug),
            "rounds": url_for("api.rounds", slug=slug),
        },
    }


def _json(schema: type, data: Any, status: int = 200) -> Response:
    body = json.dumps(schema().dump(data), ensure_ascii=False, sort_keys=True)
    return current_app.response_class(body, status=status, mimetype="application/json")


@bp.route("/forbund", methods=["GET"])
@bp.response(200, schemas.ForbundList)
def forbund_list():
    """The förbund this token may read: its own, or every one for a research token."""
    found = listing.associations(db(), _caller().may_see)
    return _json(schemas.ForbundList, {"forbund": [_forbund(a) for a in found]})


@bp.route("/forbund/<slug>", methods=["GET"])
@bp.response(200, schemas.Forbund)
def forbund(slug: str):
    """One förbund."""
    _visible(slug)
    association, _rounds = listing.association_rounds(db(), slug)
    return _json(schemas.Forbund, _forbund(association))


@bp.route("/forbund/<slug>/rounds", methods=["GET"])
@bp.response(200, schemas.RoundList)
def rounds(slug: str):
    """A förbund's rounds in time order; figures exist for the published ones only."""
    _visible(slug)
    association, found = listing.association_rounds(db(), slug)
    items = [
        {
            "label": r.label,
            "state": r.state,
            "published": r.state == "published",
            "questionnaire": {"key": r.questionnaire.key, "version": r.questionnaire.version},
            "links": {"aggregates": url_for("api.aggregates", slug=slug, label=r.label)},
        }
        for r in found
    ]
    return _json(schemas.RoundList, {"forbund": _forbund(association), "rounds": items})


@bp.route("/questionnaires", methods=["GET"])
@bp.arguments(schemas.LanguageArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.QuestionnaireList)
def questionnaires(lang: str):
    """Every questionnaire version and its dimensions."""
    found = [
        {
            "key": q.key,
            "version": q.version,
            "dimensions": [
                {"code": d.code, "group": d.group, "name": dimension_name(d, lang)}
                for d in q.dimensions
            ],
        }
        for q in listing.questionnaires(db())
    ]
    return _json(schemas.QuestionnaireList, {"questionnaires": found})


@bp.route("/forbund/<slug>/rounds/<label>/aggregates", methods=["GET"])
@bp.arguments(schemas.LanguageArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.Aggregates)
@bp.alt_response(304, description="Not modified: the figures have the ETag sent.")
def aggregates(slug: str, label: str, lang: str):
    """A published round's figures, as the board's dashboard shows them.

    Per dimension n, mean, SD, median, distribution, change since the previous round with
    its interval, level and the national reference; by role and by member agency. Groups
    under the minimum size carry n and no figures. Published figures never change: send
    the ETag back in If-None-Match and get 304. A round not published: 404 not_published.
    """
    _visible(slug)
    k = settings().min_group_size
    reference = settings().min_reference_associations
    page = pages.round_report(db(), slug, label, k, lang, trend=False, reference_minimum=reference)
    if page.round.label != label:  # the pages fall back to the latest; the API names one
        raise NotFound("round", label, page.association.name)
    summary = page.overview
    body = {
        "forbund": _forbund(page.association),
        "round": page.round.label,
        "previous_round": summary.previous_label,
        "min_group_size": summary.k,
        "min_reference_associations": summary.reference_minimum,
        "respondents": summary.respondents,
        "dimensions": summary.rows,
        "by_role": _breakdown(page.by_role),
        "by_agency": _breakdown(page.by_agency),
    }
    response = _json(schemas.Aggregates, body)
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest())
    response.headers["Cache-Control"] = "private, no-cache"
    return response.make_conditional(request)


def _breakdown(table: Any) -> list[dict[str, Any]]:
    return [
        {
            "dimension": row.code,
            "groups": [
                {**_fields(cell), "key": col.key, "label": col.label}
                for col, cell in zip(table.columns, row.cells, strict=True)
            ],
            "gap": row.gap,
        }
        for row in table.rows
    ]


def _fields(cell: Any) -> dict[str, Any]:
    names = ("n", "suppressed", "mean", "sd", "median", "distribution", "dont_know_share")
    return {name: getattr(cell, name) for name in (*names, "answers")}


@bp.route("/research/rows", methods=["GET"])
@bp.arguments(schemas.RowsArgs, location="query", as_kwargs=True)
@bp.response(200, schemas.ResearchRows)
def research_rows(round, forbund, questionnaire, version, page, per_page):  # noqa: A002
    """The research file's respondent rows, recoded, a page at a time (research tokens).

    Recoded as the research export is, so that every combination of förbund, role and
    agency holds at least k respondents (`recoding` lists what changed). One response keeps
    its id on every page read with the same token. `links.next` is null on the last page.
    """
    if not _caller().research:
        raise ApiDenied("forbidden", "Respondent rows need a research token.", status=403)
    flt = ExportFilter(
        rounds=tuple(params.clean(r) for r in round),
        associations=tuple(params.clean(f) for f in forbund),
        questionnaire=params.clean(questionnaire) if questionnaire else None,
        version=version,
    )
    seed = hmac.digest(
        str(current_app.secret_key).encode(), f"api-rows:{_caller().token_id}".encode(), "sha256"
    )
    found = row_pages.rows_page(db(), flt, settings().min_group_size, seed, page, per_page)
    return _json(
        schemas.ResearchRows,
        {
            "columns": found.columns,
            "rows": found.rows,
            "page": found.page,
            "per_page": found.per_page,
            "total": found.total,
            "recoding": found.changes,
            "links": _page_links(found.page, found.has_next),
        },
    )


def _page_links(page: int, has_next: bool) -> dict[str, str | None]:
    def at(number: int) -> str:
        query = request.args.to_dict(flat=False)
        query["page"] = [str(number)]
        return url_for("api.research_rows", **query)

    return {
        "self": at(page),
        "first": at(1),
        "next": at(page + 1) if has_next else None,
        "prev": at(page - 1) if page > 1 else None,
    }


errors.register(bp)
