"""`survey collect-static`: the files the pages load, copied where the web server (nginx,
deploy/nginx/samverkan.conf) serves them from, each with a gzip copy beside it."""

from __future__ import annotations

import gzip
import shutil
from pathlib import Path

import click
from flask import current_app
from flask.cli import with_appcontext

#: Worth compressing (text); images other than SVG are compressed already.
COMPRESSIBLE = {".js", ".css", ".svg", ".json", ".txt", ".map"}


@click.command("collect-static")
@click.option(
    "--out",
    "out",
    required=True,
    type=click.Path(file_okay=False, path_type=Path),
    help="The folder nginx serves /static/ and /vendor/ from, e.g. /srv/samverkan/static.",
)
@with_appcontext
def collect_static_command(out: Path) -> None:
    """Copy survey/static/ and plotly.min.js into OUT (as static/… and vendor/…), each
    text file also gzipped (nginx's gzip_static sends that copy as it is)."""
    assets: dict[str, Path] = current_app.extensions["survey_assets"]
    saved = 0
    for address, source in assets.items():
        target = out / address
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copy2(source, target)
        if source.suffix in COMPRESSIBLE:
            saved += source.stat().st_size - _gzipped(source, target)
    click.echo(f"{len(assets)} files in {out} ({saved // 1024} KiB less to send gzipped)")


def _gzipped(source: Path, target: Path) -> int:
    """Write target.gz (best compression, no time in the header: the same bytes every
    run); its size."""
    packed = target.with_name(target.name + ".gz")
    with source.open("rb") as raw, packed.open("wb") as file:
        with gzip.GzipFile(fileobj=file, mode="wb", compresslevel=9, mtime=0) as zipped:
            shutil.copyfileobj(raw, zipped)
    shutil.copystat(source, packed)
    return packed.stat().st_size
