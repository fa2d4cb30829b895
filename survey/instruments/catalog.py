"""What the database knows about instruments and förbund: storing questionnaires, finding them."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from survey.db import models
from survey.errors import RoundSetupError
from survey.i18n import N_
from survey.instruments.loading import load_questionnaire, parse_questionnaire
from survey.instruments.questionnaire import Fault, Questionnaire, QuestionnaireError


def fingerprint(q: Questionnaire) -> str:
    return hashlib.sha256(json.dumps(q.raw, sort_keys=True, default=str).encode()).hexdigest()


def save_questionnaire(
    session: Session, q: Questionnaire, source: str = "", *, replace_unused: bool = False
) -> tuple[models.Questionnaire, bool]:
    """Store a validated questionnaire; returns (row, created).

    Loading the same file again is harmless. A changed file under a key and version already
    stored is refused: results must always be read against the statements that were asked.
    With `replace_unused` (the admin page's upload) a version no round uses yet is replaced
    instead, so a fault seen in its preview is fixed without a new version number.
    """
    existing = session.scalar(select(models.Questionnaire).filter_by(key=q.key, version=q.version))
    digest = fingerprint(q)
    if existing is not None:
        if existing.source_sha256 != digest and replace_unused and not _in_use(session, existing):
            _forget_contents(session, existing)
            return _store(session, q, digest, existing), True
        if existing.source_sha256 != digest:
            raise QuestionnaireError(
                source or q.key,
                [
                    Fault(
                        "version",
                        N_(
                            "%(key)s version %(version)s is already loaded with other "
                            "content; a questionnaire version is never changed once loaded: "
                            "give the file version %(next)s"
                        ),
                        {"key": q.key, "version": q.version, "next": q.version + 1},
                    )
                ],
            )
        return existing, False
    return _store(session, q, digest, models.Questionnaire(key=q.key, version=q.version)), True


def _in_use(session: Session, row: models.Questionnaire) -> bool:
    return session.scalar(select(models.Round.id).filter_by(questionnaire_id=row.id)) is not None


def _forget_contents(session: Session, row: models.Questionnaire) -> None:
    """An unused version's statements and dimensions, before it is stored anew."""
    session.execute(delete(models.Item).where(models.Item.questionnaire_id == row.id))
    session.execute(delete(models.Dimension).where(models.Dimension.questionnaire_id == row.id))
    session.expire(row, ["dimensions", "items"])


def _store(
    session: Session, q: Questionnaire, digest: str, row: models.Questionnaire
) -> models.Questionnaire:
    row.title_sv, row.title_en = q.title["sv"], q.title["en"]
    row.definition, row.source_sha256 = q.raw, digest
    session.add(row)
    for d_pos, dim in enumerate(q.dimensions):
        dim_row = models.Dimension(
            questionnaire=row,
            code=dim.code,
            group=dim.group,
            position=d_pos,
            name_sv=dim.name["sv"],
            name_en=dim.name["en"],
        )
        session.add(dim_row)
        for i_pos, item in enumerate(dim.answerable()):
            session.add(
                models.Item(
                    questionnaire=row,
                    dimension=dim_row,
                    code=item.code,
                    position=i_pos,
                    text_sv=item.text["sv"],
                    text_en=item.text["en"],
                    reverse=item.reverse,
                    kind=item.kind,
                )
            )
    agency = q.background_question("agency")
    for choice in agency.choices if agency else ():
        agency_row = session.get(models.AgencyType, choice.code)
        if agency_row is None:
            session.add(
                models.AgencyType(
                    code=choice.code, name_sv=choice.label["sv"], name_en=choice.label["en"]
                )
            )
    session.flush()
    return row


def load_directory(session: Session, directory: Path) -> list[tuple[models.Questionnaire, bool]]:
    """Load every `*.yaml` in a folder; all files are checked before any is stored."""
    parsed = [(path, load_questionnaire(path)) for path in sorted(directory.glob("*.y*ml"))]
    return [save_questionnaire(session, q, str(path)) for path, q in parsed]


#: Parsed definitions by content hash. A stored version never changes (save_questionnaire
#: refuses that), so each is validated once per process instead of on every request.
_parsed: dict[str, Questionnaire] = {}


def definition_of(row: models.Questionnaire) -> Questionnaire:
    """The plain questionnaire a stored version was validated as."""
    q = _parsed.get(row.source_sha256)
    if q is None:
        q = parse_questionnaire(row.definition, f"{row.key} v{row.version} (database)")
        _parsed[row.source_sha256] = q
    return q


def definition_for(session: Session, questionnaire_id: int, source_sha256: str) -> Questionnaire:
    """`definition_of` by the row's id and hash: the stored definition is read (and parsed)
    only the first time a process meets it."""
    q = _parsed.get(source_sha256)
    if q is None:
        q = definition_of(session.get_one(models.Questionnaire, questionnaire_id))
    return q


def find_questionnaire(session: Session, spec: str) -> models.Questionnaire:
    """KEY:VERSION, or KEY alone for its latest version."""
    key, _, version = spec.partition(":")
    stmt = select(models.Questionnaire).filter_by(key=key)
    if version:
        if not version.isdecimal():
            raise RoundSetupError(
                f"'{spec}': the version after ':' must be a number", field="questionnaire"
            )
        stmt = stmt.filter_by(version=int(version))
    row = session.scalar(stmt.order_by(models.Questionnaire.version.desc()))
    if row is None:
        known = session.execute(
            select(models.Questionnaire.key, models.Questionnaire.version).order_by(
                models.Questionnaire.key, models.Questionnaire.version
            )
        ).all()
        names = ", ".join(f"{k}:{v}" for k, v in known) or "none (run `survey init`)"
        raise RoundSetupError(f"no questionnaire '{spec}'; loaded: {names}", field="questionnaire")
    return row
