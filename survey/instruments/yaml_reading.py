"""Reading a questionnaire file's YAML safely: limits on size, nesting and references.

Questionnaire files are uploaded by administrators, so the reader must stay fast and small
whatever it is given. YAML's anchors and aliases let a 14 kB file expand into gigabytes
("billion laughs"), and deeply nested brackets exhaust Python's recursion; a questionnaire
needs neither, so both are refused as soon as the parser meets them, with the line and
column, before anything is built.
"""

from __future__ import annotations

from collections.abc import Hashable
from typing import Any

import yaml
from yaml.events import AliasEvent, CollectionStartEvent, ScalarEvent

from survey.i18n import N_
from survey.instruments.questionnaire import Fault

#: Largest questionnaire file accepted, in bytes. The default instrument (10 dimensions ×
#: 4 statements in two languages) is 14 kB; 256 kB leaves room for an instrument many times
#: larger while keeping the parse well under a second.
MAX_FILE_BYTES = 256 * 1024

#: Deepest nesting of mappings and lists accepted. A questionnaire is at most 6 deep
#: (dimensions → a dimension → items → an item → text → a language).
MAX_DEPTH = 20


class ReadingError(Exception):
    """The file cannot be read as a questionnaire's YAML; `fault` says where and why."""

    def __init__(self, fault: Fault):
        super().__init__(fault.message)
        self.fault = fault


def check_size(data: bytes) -> None:
    """Refuse a file over MAX_FILE_BYTES, naming the line where the limit is crossed."""
    if len(data) <= MAX_FILE_BYTES:
        return
    line = data.count(b"\n", 0, MAX_FILE_BYTES) + 1
    raise ReadingError(
        Fault(
            f"line {line}",
            N_(
                "the file is too large: %(size)s kB, at most %(limit)s kB (a questionnaire "
                "file is usually under 20 kB)"
            ),
            {"size": -(-len(data) // 1024), "limit": MAX_FILE_BYTES // 1024},
        )
    )


def read_yaml(text: str) -> Any:
    """The data of a YAML text; ReadingError for a syntax error, a reference or too deep."""
    try:
        return yaml.load(text, Loader=QuestionnaireLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.reader.ReaderError as exc:
        line = text.count("\n", 0, exc.position) + 1
        raise ReadingError(
            Fault(
                f"line {line}",
                N_("the character #x%(code)s is not allowed in YAML"),
                {"code": f"{exc.character:04x}"},
            )
        ) from None
    except yaml.YAMLError as exc:
        raise ReadingError(_yaml_problem(exc)) from None


def _at(mark: yaml.Mark) -> str:
    return f"line {mark.line + 1}, column {mark.column + 1}"


def _yaml_problem(exc: yaml.YAMLError) -> Fault:
    """Name the line where the fault starts (an unclosed bracket's line, not where the
    parser gave up), and where it was noticed when that is elsewhere."""
    context = getattr(exc, "context_mark", None)
    problem = getattr(exc, "problem_mark", None)
    mark = context or problem
    where = _at(mark) if mark else ""
    reason = getattr(exc, "problem", None) or str(exc)
    if isinstance(exc, _Refused):
        return Fault(where, reason)
    if getattr(exc, "context", None):
        reason = f"{exc.context}: {reason}"
    if context and problem and problem.line != context.line:
        reason += f" (noticed at line {problem.line + 1})"
    return Fault(where, N_("YAML syntax error: %(reason)s"), {"reason": reason})


class _Refused(yaml.composer.ComposerError):
    """Well-formed YAML that a questionnaire file may not use."""

    def __init__(self, problem: str, mark: yaml.Mark):
        super().__init__(None, None, problem, mark)


class QuestionnaireLoader(yaml.SafeLoader):
    """SafeLoader that refuses anchors, aliases, nesting deeper than MAX_DEPTH and a key
    given twice (YAML would silently keep the last)."""

    def __init__(self, stream: Any) -> None:
        super().__init__(stream)
        self._depth = 0

    def compose_node(self, parent: Any, index: Any) -> Any:
        event = self.peek_event()
        if isinstance(event, AliasEvent):
            raise _Refused(
                f"the alias *{event.anchor} is not allowed: a questionnaire file writes "
                "every value out (aliases can blow a small file up to gigabytes)",
                event.start_mark,
            )
        if isinstance(event, ScalarEvent | CollectionStartEvent) and event.anchor:
            raise _Refused(
                f"the anchor &{event.anchor} is not allowed: a questionnaire file writes "
                "every value out, without anchors or aliases",
                event.start_mark,
            )
        if isinstance(event, CollectionStartEvent):
            if self._depth >= MAX_DEPTH:
                raise _Refused(
                    f"nested too deeply: more than {MAX_DEPTH} levels of lists and "
                    "mappings (a questionnaire needs about 6)",
                    event.start_mark,
                )
            self._depth += 1
            try:
                return super().compose_node(parent, index)
            finally:
                self._depth -= 1
        return super().compose_node(parent, index)

    def construct_yaml_int(self, node: yaml.ScalarNode) -> int:
        try:
            return super().construct_yaml_int(node)
        except ValueError:  # Python refuses to read an integer of over 4,300 digits
            raise _Refused("the number is too long", node.start_mark) from None

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _value in node.value:
            key = self.construct_object(key_node, deep=deep)
            if not isinstance(key, Hashable):
                continue  # SafeLoader itself refuses it, naming the place
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    "while reading a mapping",
                    node.start_mark,
                    f"the key {key!r} is given twice",
                    key_node.start_mark,
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


QuestionnaireLoader.add_constructor("tag:yaml.org,2002:int", QuestionnaireLoader.construct_yaml_int)
