"""What each API answer holds, as marshmallow schemas: flask-smorest writes them into the
OpenAPI document (/api/v1/openapi.json) and the routes dump their answers through them, so
the document and the answers cannot drift apart (tests/test_api_schema.py checks every
operation with schemathesis)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from survey.exports.row_pages import MAX_PER_PAGE

LANGUAGES = ("sv", "en")


def _number() -> fields.Float:
    return fields.Float(allow_none=True, required=True)


class ErrorBody(Schema):
    code = fields.String(
        required=True, metadata={"description": "stable, for scripts: e.g. invalid_token"}
    )
    message = fields.String(required=True, metadata={"description": "in English, for people"})


class Error(Schema):
    """Every refusal (400, 401, 403, 404, 429) has this shape."""

    error = fields.Nested(ErrorBody, required=True)


class Forbund(Schema):
    slug = fields.String(required=True)
    name = fields.String(required=True)
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class ForbundList(Schema):
    forbund = fields.List(fields.Nested(Forbund), required=True)


class QuestionnaireRef(Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)


class RoundItem(Schema):
    label = fields.String(required=True)
    state = fields.String(required=True, metadata={"description": "open, closed or published"})
    published = fields.Boolean(required=True)
    questionnaire = fields.Nested(QuestionnaireRef, required=True)
    links = fields.Dict(keys=fields.String(), values=fields.String(), required=True)


class RoundList(Schema):
    forbund = fields.Nested(Forbund, required=True)
    rounds = fields.List(fields.Nested(RoundItem), required=True)


class DimensionText(Schema):
    code = fields.String(required=True)
    group = fields.String(required=True)
    name = fields.String(required=True)


class Questionnaire(Schema):
    key = fields.String(required=True)
    version = fields.Integer(required=True)
    dimensions = fields.List(fields.Nested(DimensionText), required=True)


class QuestionnaireList(Schema):
    questionnaires = fields.List(fields.Nested(Questionnaire), required=True)


class Interval(Schema):
    """A difference (first minus second) with its 95 % interval."""

    estimate = fields.Float(required=True)
    low = fields.Float(required=True)
    high = fields.Float(required=True)


class Figures(Schema):
    """A group's figures; every figure is null where the group is suppressed (n < k)."""

    n = fields.Integer(required=True)
    suppressed = fields.Boolean(required=True)
    mean = _number()
    sd = _number()
    median = _number()
    distribution = fields.List(
        fields.Integer(),
        allow_none=True,
        required=True,
        metadata={"description": "answers 1–5 after reverse coding"},
    )
    dont_know_share = _number()
    answers = fields.Integer(allow_none=True, required=True)


class DimensionFigures(Figures):
    code = fields.String(required=True)
    name = fields.String(required=True)
    group = fields.String(required=True)
    national_mean = _number()
    national_associations = fields.Integer(required=True)
    previous_mean = _number()
    change = _number()
    difference = fields.Nested(Interval, allow_none=True, required=True)
    level = fields.Integer(allow_none=True, required=True)
    level_text = fields.String(allow_none=True, required=True)


class GroupFigures(Figures):
    code = fields.String(required=True, attribute="key")
    label = fields.String(required=True)


class Gap(Schema):
    highs = fields.List(fields.String(), required=True)
    lows = fields.List(fields.String(), required=True)
    high_mean = fields.Float(required=True)
    low_mean = fields.Float(required=True)
    interval = fields.Nested(Interval, allow_none=True, required=True)


class BreakdownRow(Schema):
    dimension = fields.String(required=True)
    groups = fields.List(fields.Nested(GroupFigures), required=True)
    gap = fields.Nested(Gap, allow_none=True, required=True)


class Aggregates(Schema):
    forbund = fields.Nested(Forbund, required=True)
    round = fields.String(required=True)
    previous_round = fields.String(allow_none=True, required=True)
    min_group_size = fields.Integer(required=True)
    min_reference_associations = fields.Integer(required=True)
    respondents = fields.Integer(required=True)
    dimensions = fields.List(fields.Nested(DimensionFigures), required=True)
    by_role = fields.List(fields.Nested(BreakdownRow), required=True)
    by_agency = fields.List(fields.Nested(BreakdownRow), required=True)


class RecodingChange(Schema):
    label = fields.String(required=True)
    association = fields.String(required=True)
    variable = fields.String(required=True)
    before = fields.String(allow_none=True, required=True)
    after = fields.String(allow_none=True, required=True)
    responses = fields.Integer(required=True)


class PageLinks(Schema):
    self = fields.String(required=True)
    first = fields.String(required=True)
    next = fields.String(allow_none=True, required=True)
    prev = fields.String(allow_none=True, required=True)


class ResearchRows(Schema):
    columns = fields.List(fields.String(), required=True)
    rows = fields.List(fields.List(fields.Raw(allow_none=True)), required=True)
    page = fields.Integer(required=True)
    per_page = fields.Integer(required=True)
    total = fields.Integer(required=True)
    recoding = fields.List(fields.Nested(RecodingChange), required=True)
    links = fields.Nested(PageLinks, required=True)


class LanguageArgs(Schema):
    lang = fields.String(
        load_default="sv",
        validate=validate.OneOf(LANGUAGES),
        metadata={"description": "language of names and labels"},
    )


class RowsArgs(Schema):
    round = fields.List(
        fields.String(), load_default=list, metadata={"description": "round labels"}
    )
    forbund = fields.List(fields.String(), load_default=list, metadata={"description": "slugs"})
    questionnaire = fields.String(load_default=None)
    version = fields.Integer(
        load_default=None,
        validate=validate.Range(min=1, max=10_000),
        metadata={
            "description": "questionnaire version; without it the newest version among the "
            "matching published rounds (versions whose statements differ cannot share a table)"
        },
    )
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=1_000_000))
    per_page = fields.Integer(load_default=100, validate=validate.Range(min=1, max=MAX_PER_PAGE))
