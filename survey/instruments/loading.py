"""Questionnaire files: load YAML, validate every rule, return plain dataclasses.

A förbund edits these files without a programmer, so every fault is reported with the
file, the place inside it (``dimensions[2].items[0].text.en``) and what is wrong, and all
faults of a file are reported at once rather than one per attempt.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from survey.i18n import N_
from survey.instruments.questionnaire import (
    BACKGROUND_CODES,
    GROUPS,
    LANGUAGES,
    REQUIRED_BACKGROUND,
    SCALE_MAX,
    SCALE_MIN,
    BackgroundQuestion,
    Choice,
    Dimension,
    Fault,
    Item,
    Questionnaire,
    QuestionnaireError,
    Scale,
    Text,
)
from survey.instruments.reporting_rules import ReportingRules
from survey.instruments.reporting_rules import kind as _kind
from survey.instruments.yaml_reading import MAX_FILE_BYTES, ReadingError, check_size, read_yaml

_KEY_RE = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_CODE_RE = re.compile(r"^[A-Z][A-Z0-9_]*$")
_CHOICE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]*$")
_CODE_HINT = "upper-case letters, digits or '_', starting with a letter"
_CHOICE_HINT = "lower-case letters, digits, '-' or '_'"


def load_questionnaire(path: str | Path) -> Questionnaire:
    """Read and validate one YAML file; raise QuestionnaireError naming every fault."""
    path = Path(path)
    source = str(path)
    try:
        with path.open("rb") as fh:
            # One byte past the limit is enough to refuse it, however large the file.
            data = fh.read(MAX_FILE_BYTES + 1)
    except OSError as exc:
        raise QuestionnaireError(
            source, [Fault("", N_("cannot read the file (%(reason)s)"), {"reason": exc.strerror})]
        ) from None
    return parse_questionnaire_bytes(data, source)


def parse_questionnaire_bytes(data: bytes, source: str) -> Questionnaire:
    """Validate the bytes of an uploaded file; `source` is its name in every fault.

    The single gate for questionnaire files, from a folder, the command line or an upload:
    size, nesting, anchors and aliases are checked before any data is built."""
    try:
        check_size(data)
        text = data.decode("utf-8")
    except ReadingError as exc:
        raise QuestionnaireError(source, [exc.fault]) from None
    except UnicodeDecodeError as exc:
        line = data.count(b"\n", 0, exc.start) + 1
        raise QuestionnaireError(
            source, [Fault(f"line {line}", N_("the file is not UTF-8 text"))]
        ) from None
    return parse_questionnaire_text(text, source)


def parse_questionnaire_text(text: str, source: str) -> Questionnaire:
    """Validate a questionnaire given as text (refused over MAX_FILE_BYTES, as a file)."""
    try:
        check_size(text.encode("utf-8"))
        data = read_yaml(text)
    except ReadingError as exc:
        raise QuestionnaireError(source, [exc.fault]) from None
    return parse_questionnaire(data, source)


def parse_questionnaire(data: Any, source: str) -> Questionnaire:
    """Validate already-parsed data (a file, or a definition stored in the database)."""
    v = _Validator()
    q = v.questionnaire(data)
    if v.problems or q is None:
        raise QuestionnaireError(source, v.problems or [Fault("", N_("empty questionnaire"))])
    return q


class _Validator(ReportingRules):
    """Walks the data once, recording problems with their paths instead of stopping."""

    def __init__(self) -> None:
        self.problems: list[Fault] = []

    def fail(self, path: str, template: str, **values: Any) -> None:
        self.problems.append(Fault(path, template, values))

    def mapping(
        self, value: Any, path: str, required: tuple[str, ...], optional: tuple[str, ...] = ()
    ) -> dict[str, Any] | None:
        if not isinstance(value, dict):
            self.fail(path, N_("must be a mapping of fields, found %(found)s"), found=_kind(value))
            return None
        for name in required:
            if name not in value or value[name] is None:
                self.fail(_join(path, name), N_("missing required field"))
        for name in value:
            if name not in required and name not in optional:
                allowed = ", ".join(required + optional)
                self.fail(
                    _join(path, str(name)),
                    N_("unknown field (allowed: %(allowed)s)"),
                    allowed=allowed,
                )
        return value

    def text(self, value: Any, path: str) -> Text:
        if value is None:
            return {}  # reported once already, as a missing field
        if not isinstance(value, dict):
            self.fail(
                path,
                N_("must give a text per language (%(allowed)s), found %(found)s"),
                allowed=", ".join(LANGUAGES),
                found=_kind(value),
            )
            return {}
        for lang in LANGUAGES:
            if lang not in value:
                self.fail(_join(path, lang), N_("missing text in language '%(lang)s'"), lang=lang)
            elif not isinstance(value[lang], str) or not value[lang].strip():
                self.fail(_join(path, lang), N_("must be a non-empty text"))
        for lang in value:
            if lang not in LANGUAGES:
                self.fail(
                    _join(path, str(lang)),
                    N_("unknown language (allowed: %(allowed)s)"),
                    allowed=", ".join(LANGUAGES),
                )
        return {
            lang: str(value[lang]).strip() for lang in LANGUAGES if isinstance(value.get(lang), str)
        }

    def list_of(self, value: Any, path: str) -> list[Any]:
        if not isinstance(value, list) or not value:
            found = "an empty list" if value == [] else _kind(value)
            self.fail(path, N_("must be a non-empty list, found %(found)s"), found=found)
            return []
        return value

    def code(self, value: Any, path: str, pattern: re.Pattern[str], hint: str) -> str:
        if value is None:
            return ""  # reported once already, as a missing field
        if not isinstance(value, str) or not pattern.fullmatch(value):
            self.fail(path, N_("must be %(hint)s, found %(value)r"), hint=hint, value=value)
            return str(value)
        return value

    def unique_code(self, fields: dict[str, Any], path: str, seen: set[str], what: str) -> str:
        """The `code` field of a dimension, item or choice: well-formed and not used before."""
        pattern, hint = (_CHOICE_RE, _CHOICE_HINT) if what == "choice" else (_CODE_RE, _CODE_HINT)
        code = self.code(fields.get("code"), f"{path}.code", pattern, hint)
        if fields.get("code") is not None and code in seen:
            self.fail(
                f"{path}.code", N_("duplicate %(what)s code '%(code)s'"), what=what, code=code
            )
        seen.add(code)
        return code

    def questionnaire(self, data: Any) -> Questionnaire | None:
        top = self.mapping(
            data,
            "",
            ("key", "version", "languages", "title", "scale", "background", "dimensions"),
            ("intro", "question", "report_groups"),
        )
        if top is None:
            return None
        key = self.code(top.get("key"), "key", _KEY_RE, "lower-case letters, digits and dashes")
        version = top.get("version")
        if isinstance(version, bool) or not isinstance(version, int) or version < 1:
            self.fail(
                "version", N_("must be a whole number from 1 up, found %(value)r"), value=version
            )
        languages = top.get("languages")
        if not isinstance(languages, list) or sorted(map(str, languages)) != sorted(LANGUAGES):
            self.fail(
                "languages",
                N_("must list exactly %(allowed)s, found %(value)r"),
                allowed=", ".join(LANGUAGES),
                value=languages,
            )
        title = self.text(top.get("title"), "title")
        intro = self.text(top["intro"], "intro") if top.get("intro") is not None else {}
        scale = self.scale(top.get("scale"))
        background = self.background(top.get("background"))
        dimensions = self.dimensions(top.get("dimensions"))
        question = self.text(top["question"], "question") if top.get("question") is not None else {}
        groups = self.report_groups(top.get("report_groups"), background)
        if self.problems:
            return None
        return Questionnaire(
            key=key,
            version=int(version),
            languages=LANGUAGES,
            title=title,
            intro=intro,
            scale=scale,
            background=background,
            dimensions=dimensions,
            question=question,
            report_groups=groups,
            raw=data,
        )

    def scale(self, value: Any) -> Scale:
        m = self.mapping(value, "scale", ("min", "max", "labels", "dont_know")) or {}
        bounds = (m.get("min"), m.get("max"))
        if any(isinstance(b, bool) or not isinstance(b, int) for b in bounds) or bounds != (
            SCALE_MIN,
            SCALE_MAX,
        ):
            self.fail(
                "scale",
                N_("must run from min: %(min)s to max: %(max)s"),
                min=SCALE_MIN,
                max=SCALE_MAX,
            )
        labels: dict[int, Text] = {}
        raw_labels = m.get("labels")
        if not isinstance(raw_labels, dict):
            self.fail(
                "scale.labels",
                N_("must map each point to its label, found %(found)s"),
                found=_kind(raw_labels),
            )
            raw_labels = {}
        # Quoted keys ("1":) and the string keys JSON storage gives back mean the same point.
        raw_labels = {
            int(k) if isinstance(k, str) and k.isascii() and k.isdigit() else k: v
            for k, v in raw_labels.items()
        }
        for point in range(SCALE_MIN, SCALE_MAX + 1):
            if point not in raw_labels:
                self.fail(f"scale.labels.{point}", N_("missing label for this point of the scale"))
            else:
                labels[point] = self.text(raw_labels[point], f"scale.labels.{point}")
        for point in raw_labels:
            if point not in labels:
                self.fail(
                    f"scale.labels.{point}",
                    N_("not a point of the scale (%(min)s–%(max)s)"),
                    min=SCALE_MIN,
                    max=SCALE_MAX,
                )
        dont_know = self.text(m.get("dont_know"), "scale.dont_know") if "dont_know" in m else {}
        return Scale(SCALE_MIN, SCALE_MAX, labels, dont_know)

    def background(self, value: Any) -> tuple[BackgroundQuestion, ...]:
        questions: list[BackgroundQuestion] = []
        seen: set[str] = set()
        for i, raw in enumerate(self.list_of(value, "background")):
            path = f"background[{i}]"
            m = self.mapping(raw, path, ("code", "text", "choices"))
            if m is None:
                continue
            code = m.get("code")
            if code not in BACKGROUND_CODES:
                self.fail(
                    f"{path}.code",
                    N_("must be one of %(allowed)s, found %(value)r"),
                    allowed=", ".join(BACKGROUND_CODES),
                    value=code,
                )
            elif code in seen:
                self.fail(f"{path}.code", N_("duplicate background question '%(code)s'"), code=code)
            seen.add(str(code))
            text = self.text(m.get("text"), f"{path}.text")
            choices: list[Choice] = []
            choice_codes: set[str] = set()
            for j, raw_choice in enumerate(self.list_of(m.get("choices"), f"{path}.choices")):
                cpath = f"{path}.choices[{j}]"
                c = self.mapping(raw_choice, cpath, ("code", "label"))
                if c is None:
                    continue
                ccode = self.unique_code(c, cpath, choice_codes, "choice")
                choices.append(Choice(ccode, self.text(c.get("label"), f"{cpath}.label")))
            questions.append(BackgroundQuestion(str(code), text, tuple(choices)))
        for code in REQUIRED_BACKGROUND:
            if value and code not in seen:
                self.fail("background", N_("missing the background question '%(code)s'"), code=code)
        return tuple(questions)

    def dimensions(self, value: Any) -> tuple[Dimension, ...]:
        dims: list[Dimension] = []
        dim_codes: set[str] = set()
        item_codes: set[str] = set()
        for i, raw in enumerate(self.list_of(value, "dimensions")):
            path = f"dimensions[{i}]"
            m = self.mapping(
                raw, path, ("code", "group", "name", "items"), ("description", "levels")
            )
            if m is None:
                continue
            code = self.unique_code(m, path, dim_codes, "dimension")
            group = m.get("group")
            if group not in GROUPS:
                self.fail(
                    f"{path}.group",
                    N_("unknown group %(value)r (allowed: %(allowed)s)"),
                    value=group,
                    allowed=", ".join(GROUPS),
                )
            name = self.text(m.get("name"), f"{path}.name")
            description = (
                self.text(m["description"], f"{path}.description")
                if m.get("description") is not None
                else {}
            )
            items: list[Item] = []
            for j, raw_item in enumerate(self.list_of(m.get("items"), f"{path}.items")):
                ipath = f"{path}.items[{j}]"
                it = self.mapping(raw_item, ipath, ("code", "text"), ("reverse", "replaces"))
                if it is None:
                    continue
                icode = self.unique_code(it, ipath, item_codes, "item")
                reverse = it.get("reverse", False)
                if not isinstance(reverse, bool):
                    self.fail(
                        f"{ipath}.reverse",
                        N_("must be true or false, found %(value)r"),
                        value=reverse,
                    )
                text = self.text(it.get("text"), f"{ipath}.text")
                replaces = self.replaces(it.get("replaces"), f"{ipath}.replaces", icode)
                items.append(Item(icode, text, reverse is True, replaces))
            levels = self.levels(m.get("levels"), f"{path}.levels")
            dims.append(Dimension(code, str(group), name, description, tuple(items), levels))
        return tuple(dims)


def _join(path: str, name: str) -> str:
    return f"{path}.{name}" if path else name
