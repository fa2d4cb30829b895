"""The national picture of one round label: every förbund's dimension scores beside the
national reference, for the comparison page (chosen peers, heat map)."""

from __future__ import annotations

import dataclasses
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session, contains_eager, joinedload

from survey import disclosure
from survey.db import models
from survey.disclosure import DEFAULT_REFERENCE_ASSOCIATIONS, effective_reference_minimum
from survey.errors import NotFound
from survey.i18n import translate
from survey.results import scoring, snapshot
from survey.results.gate import published
from survey.results.overview import dimension_name
from survey.rounds import lifecycle

MAX_PEERS = 5
#: What marks a pseudonymised förbund's alias among the chosen ("~C"): no slug starts so.
ALIAS = "~"


@dataclass(frozen=True)
class AssociationSeries:
    slug: str  # "" for a förbund shown under a pseudonym
    name: str
    cells: list[scoring.GroupStat]  # one per dimension; suppressed cells carry no figures
    alias: str = ""  # a pseudonymised förbund's key on this page ("~C"), never its slug

    @property
    def choice(self) -> str:
        """What the comparison form sends to choose this förbund."""
        return self.slug or self.alias


@dataclass(frozen=True)
class NationalPicture:
    label: str
    questionnaire_key: str
    k: int
    dimensions: list[tuple[str, str]]  # (code, name) in questionnaire order
    associations: list[AssociationSeries]  # by name
    national: list[scoring.Reference | None]  # one per dimension
    #: A picture of the demo förbund only; otherwise of real förbund only, never mixed.
    demo: bool = False
    #: the fewest förbund a national reference averages (below it there is none)
    reference_minimum: int = DEFAULT_REFERENCE_ASSOCIATIONS

    @property
    def has_reference(self) -> bool:
        return any(ref is not None for ref in self.national)

    def series(self, choice: str) -> AssociationSeries:
        """A förbund by its short name, or a pseudonymised one by its alias ("~C")."""
        for s in self.associations:
            if s.choice == choice:
                return s
        if choice.startswith(ALIAS):
            raise NotFound("association", choice)
        raise NotFound("round", self.label, within=choice)


def round_labels(session: Session) -> list[str]:
    """Every label with a published round, newest first. A label is a period the förbund
    share ("2026"), each förbund's rounds having their own time order, so labels compare
    with runs of digits as numbers ("10" after "9"), never as plain strings."""
    labels = session.scalars(
        select(models.Round.label).where(published(models.Round.id)).distinct()
    )
    return sorted(labels, key=lifecycle.label_order, reverse=True)


def _rounds_labelled(session: Session, label: str) -> list[models.Round]:
    """Every förbund's round with this label, by förbund name. The förbund, questionnaire
    and dimensions come with them: the picture names every förbund, so loading them one by
    one would ask once per förbund."""
    return list(
        session.scalars(
            select(models.Round)
            .join(models.Round.association)
            .where(models.Round.label == label, published(models.Round.id))
            .options(
                contains_eager(models.Round.association),
                joinedload(models.Round.questionnaire).selectinload(
                    models.Questionnaire.dimensions
                ),
            )
            .order_by(models.Association.name)
        )
    )


def national_picture(
    session: Session,
    label: str,
    k: int,
    lang: str,
    questionnaire_key: str | None = None,
    *,
    reference_minimum: int = DEFAULT_REFERENCE_ASSOCIATIONS,
) -> NationalPicture:
    """All förbund with a round of this label (and instrument key: by default the one most
    rounds of the label use)."""
    rounds = _rounds_labelled(session, label)
    demo = _demo_picture(rounds, ())
    kind = _of_kind(rounds, demo)
    return _picture(session, kind, label, k, lang, questionnaire_key, demo, reference_minimum)


def chosen_picture(
    session: Session,
    label: str,
    slugs: Sequence[str],
    k: int,
    lang: str,
    *,
    reference_minimum: int = DEFAULT_REFERENCE_ASSOCIATIONS,
) -> NationalPicture:
    """The national picture of `label` in the instrument of the first of the chosen förbund
    (as `national_picture` when none is chosen). NotFound names the first chosen förbund
    that does not exist or has no round of this label."""
    rounds = _rounds_labelled(session, label)
    demo = _demo_picture(rounds, slugs)
    rounds = _of_kind(rounds, demo)
    by_slug = {r.association.slug: r for r in rounds}
    missing = [slug for slug in slugs if slug not in by_slug]
    if missing:  # only then a statement more, to tell an unknown förbund from a missing round
        names = dict(
            session.execute(
                select(models.Association.slug, models.Association.name).where(
                    models.Association.slug.in_(missing)
                )
            ).all()
        )
        slug = missing[0]
        if slug not in names:
            raise NotFound("association", slug)
        raise NotFound("round", label, within=names[slug])
    key = by_slug[slugs[0]].questionnaire.key if slugs else None
    return _picture(session, rounds, label, k, lang, key, demo, reference_minimum)


def _demo_picture(rounds: Sequence[models.Round], slugs: Sequence[str]) -> bool:
    """Whose picture: the first chosen förbund's kind (demo or real); with none chosen, the
    real förbund's, unless the label has only demo rounds (a demo database)."""
    for rnd in rounds:
        if slugs and rnd.association.slug == slugs[0]:
            return rnd.association.is_demo
    return all(r.association.is_demo for r in rounds)


def _of_kind(rounds: list[models.Round], demo: bool) -> list[models.Round]:
    """Demo förbund are compared with demo förbund only, real ones with real ones only."""
    return [r for r in rounds if r.association.is_demo == demo]


def _picture(
    session: Session,
    rounds: list[models.Round],
    label: str,
    k: int,
    lang: str,
    questionnaire_key: str | None,
    demo: bool,
    reference_minimum: int,
) -> NationalPicture:
    k = disclosure.effective_k(k)
    if not rounds:
        raise NotFound("round", label)
    if questionnaire_key is None:
        questionnaire_key = Counter(r.questionnaire.key for r in rounds).most_common(1)[0][0]
    rounds = [r for r in rounds if r.questionnaire.key == questionnaire_key]
    newest = max((r.questionnaire for r in rounds), key=lambda q: q.version)
    dims = [(d.code, dimension_name(d, lang)) for d in newest.dimensions]
    stats = {
        (s.round_id, s.dimension): s
        for s in snapshot.dimension_stats(session, [r.id for r in rounds], k)
    }
    series = [
        AssociationSeries(
            r.association.slug,
            r.association.name,
            [
                stats.get((r.id, code)) or scoring.GroupStat(r.id, code, None, 0, True)
                for code, _name in dims
            ],
        )
        for r in rounds
    ]
    reference = snapshot.national_reference(
        session, label, questionnaire_key, k, demo=demo, minimum=reference_minimum
    )
    national = [reference.get(code) for code, _ in dims]
    minimum = effective_reference_minimum(reference_minimum)
    return NationalPicture(label, questionnaire_key, k, dims, series, national, demo, minimum)


def visible_picture(
    session: Session,
    label: str,
    chosen: Sequence[str],
    k: int,
    lang: str,
    visible: Callable[[str], bool],
    *,
    reference_minimum: int = DEFAULT_REFERENCE_ASSOCIATIONS,
) -> NationalPicture:
    """The national picture as one user may see it: förbund they may not see by name
    (not their own, and not named to others by their own choice) appear as "Förbund A,
    B…", are chosen by that letter (alias "~A": the heat map shows their figures anyway),
    and are not found when asked for by short name."""
    for slug in chosen:
        if not visible(slug):
            raise NotFound("association", slug)
    picture = chosen_picture(session, label, chosen, k, lang, reference_minimum=reference_minimum)
    named = [s for s in picture.associations if visible(s.slug)]
    hidden = [s for s in picture.associations if not visible(s.slug)]
    # In the order of their figures, not of their names, so a letter tells nothing.
    hidden.sort(key=lambda s: [c.mean if c.mean is not None else -1.0 for c in s.cells])
    renamed = [
        AssociationSeries(
            "",
            translate(lang, "Association %(letter)s", letter=_letter(i)),
            s.cells,
            alias=ALIAS + _letter(i),
        )
        for i, s in enumerate(hidden)
    ]
    return dataclasses.replace(picture, associations=named + renamed)


def _letter(index: int) -> str:
    """A, B, … Z, AA, AB, … (there are about 80 förbund)."""
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(ord("A") + rest) + letters
    return letters
