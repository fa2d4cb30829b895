"""What text a form may send, checked once for every form of the app before its view runs:
no field of any form (nor a field's name) may hold a control character. PostgreSQL refuses
a NUL outright (a 500 where the view stored it) and SQLite stores it; neither is text a
person meant to type.

Refused: the C0 controls and DEL, lone surrogates, and in single-line fields also tab and
line breaks, which only the multi-line fields (the textareas, MULTI_LINE) may hold. A new
field is single-line unless named here (tests/test_form_text.py checks MULTI_LINE against
the templates' textareas). A refused form raises ControlCharacters naming the field: the
respondent's and the log-in pages show it at the field, every other form on the message
page (survey/web/error_pages.py), with nothing stored.
"""

from __future__ import annotations

from flask import request
from flask_babel import gettext as _
from werkzeug.exceptions import BadRequest

#: The fields sent from a <textarea>: the only ones that may hold tabs and line breaks.
MULTI_LINE = frozenset(
    {"members", "privacy_contact", "addresses", "body", "comment", "description", "rationale"}
)
LINE_BREAKS = frozenset("\t\n\r")
CONTROLS = frozenset(map(chr, range(0x20))) - LINE_BREAKS | {"\x7f"}
REPLACEMENT = "\ufffd"


class ControlCharacters(BadRequest):
    """A form field (named `field`) that holds a character no field may hold."""

    def __init__(self, field: str):
        self.field = field
        super().__init__(f"control character in the field {field!r}")


def allowed(char: str, *, multi_line: bool) -> bool:
    if char in CONTROLS or "\ud800" <= char <= "\udfff":
        return False
    return multi_line or char not in LINE_BREAKS


def acceptable(name: str, value: str) -> bool:
    """Whether field `name` may hold `value` (and the name itself is clean)."""
    multi_line = name in MULTI_LINE
    return all(allowed(c, multi_line=False) for c in name) and all(
        allowed(c, multi_line=multi_line) for c in value
    )


def shown(name: str, value: str) -> str:
    """`value` as a refused page may show it again: each refused character marked."""
    multi_line = name in MULTI_LINE
    return "".join(c if allowed(c, multi_line=multi_line) else REPLACEMENT for c in value)


def refuse_control_characters() -> None:
    """Before every view (registered by survey.web.security.init_security): the first
    field of the form that holds a refused character raises ControlCharacters."""
    if request.method in ("GET", "HEAD", "OPTIONS"):
        return
    for name, value in request.form.items(multi=True):
        if not acceptable(name, value):
            raise ControlCharacters(shown(name, name))


def label(field: str) -> str:
    """What the forms call a field, in the page's language; else its name."""
    labels = {
        "email": _("E-mail address"),
        "password": _("Password"),
        "repeat": _("The new password again"),
        "code": _("Code"),
        "name": _("Name"),
        "slug": _("Short name"),
        "members": _("Member agencies"),
        "privacy_contact": _("Contact for questions about personal data"),
        "label": _("Label"),
        "count": _("Number of personal links"),
        "opens": _("Opens"),
        "closes": _("Closes"),
        "addresses": _("E-mail addresses"),
        "subject": _("Subject"),
        "body": _("Text"),
        "comment": _("Comment (optional)"),
    }
    return labels.get(field, field[:40])


def control_characters_text(field_label: str) -> str:
    """The message about a refused field (as its page calls it)."""
    return _(
        "The field “%(field)s” contains a character that cannot be saved (an invisible "
        "control character, perhaps copied along from another program). Nothing was saved: "
        "remove it and send the form again.",
        field=field_label,
    )
