"""`survey figures rebuild`: the publication snapshot (survey.results.snapshot) made again
for every published round, at the configured MIN_GROUP_SIZE."""

from __future__ import annotations

import click
from flask.cli import with_appcontext

from survey.cli import domain_errors, open_session, settings
from survey.services.figures import rebuild_figures


@click.group("figures")
def figures_group() -> None:
    """The figures kept for published rounds (computed once, when a round is published)."""


@figures_group.command("rebuild")
@with_appcontext
@domain_errors
def figures_rebuild_command() -> None:
    """Compute every published round's figures again into the snapshot the pages read:
    after a restore, an import or a bulk load, or after changing MIN_GROUP_SIZE."""
    with open_session() as session:
        count = rebuild_figures(session, settings().min_group_size)
    click.echo(f"figures rebuilt for {count} published rounds (k = {settings().min_group_size})")
