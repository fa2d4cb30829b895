"""flask-smorest's Blueprint as the API uses it: a refused argument is a 400 (webargs'
default is 422), worded in the API's one error shape (survey/web/api/errors.py)."""

from __future__ import annotations

from flask_smorest import Blueprint
from webargs.flaskparser import FlaskParser


class _Parser(FlaskParser):
    DEFAULT_VALIDATION_STATUS = 400


class ApiBlueprint(Blueprint):
    ARGUMENTS_PARSER = _Parser()
