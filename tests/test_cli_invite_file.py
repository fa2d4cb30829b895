"""`survey invite --out FILE` never loses links: the file is checked before any link is
made, an existing file is never overwritten, and the links file is readable by its owner
only. After every refusal the database holds no new invitation."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from builders import make_round
from sqlalchemy import func, select

from survey.db import models


def invitations(db) -> int:
    db.expire_all()
    return db.scalar(select(func.count()).select_from(models.Invitation))


def invite(runner, out: Path, *extra: str):
    return runner.invoke(
        args=["invite", "--round", "norrsund/2026", "--count", "25", "--out", str(out), *extra]
    )


def test_the_links_file_is_readable_by_its_owner_only(runner, db, tmp_path):
    make_round(db)
    out = tmp_path / "links.csv"
    result = invite(runner, out)
    assert result.exit_code == 0, result.output
    assert "25 link(s) written to" in result.output
    assert stat.S_IMODE(out.stat().st_mode) == 0o600
    assert len(out.read_text(encoding="utf-8-sig").splitlines()) == 26
    assert invitations(db) == 25


def test_an_existing_file_is_never_overwritten(runner, db, tmp_path):
    make_round(db)
    out = tmp_path / "links.csv"
    out.write_text("last year's links\n", encoding="utf-8")
    result = invite(runner, out)
    assert result.exit_code == 1
    assert f"Error: {out} exists already; choose another name" in result.output
    assert "No links were created." in result.output
    assert out.read_text(encoding="utf-8") == "last year's links\n"
    assert invitations(db) == 0


def test_a_missing_folder_is_refused_before_any_link_is_made(runner, db, tmp_path):
    make_round(db)
    out = tmp_path / "no-such-folder" / "links.csv"
    result = invite(runner, out)
    assert result.exit_code == 1
    assert f"the folder {out.parent} does not exist. No links were created." in result.output
    assert not out.parent.exists()
    assert invitations(db) == 0


def test_a_file_where_the_folder_should_be_is_refused(runner, db, tmp_path):
    make_round(db)
    (tmp_path / "notes").write_text("", encoding="utf-8")
    result = invite(runner, tmp_path / "notes" / "links.csv")
    assert result.exit_code == 1
    assert f"{tmp_path / 'notes'} is not a folder. No links were created." in result.output
    assert invitations(db) == 0


def _unwritable_folder(tmp_path: Path) -> Path:
    """A folder this process may not write in: a read-only one, or for root (who may write
    anywhere on an ordinary file system) the kernel's /sys."""
    if os.geteuid() != 0:
        folder = tmp_path / "read-only"
        folder.mkdir(mode=0o500)
        return folder
    if not Path("/sys/kernel").is_dir():
        pytest.skip("running as root without /sys: no folder refuses writing")
    return Path("/sys/kernel")


def test_a_folder_without_write_permission_is_refused(runner, db, tmp_path):
    make_round(db)
    folder = _unwritable_folder(tmp_path)
    result = invite(runner, folder / "links.csv")
    assert result.exit_code == 1
    assert f"no permission to write in the folder {folder}. No links" in result.output
    assert not (folder / "links.csv").exists()
    assert invitations(db) == 0


def test_a_refused_round_leaves_no_file_behind(runner, db, tmp_path):
    make_round(db)
    out = tmp_path / "links.csv"
    result = runner.invoke(args=["invite", "--round", "norrsund/1999", "--out", str(out)])
    assert result.exit_code == 2
    assert "No survey round '1999'" in result.output
    assert not out.exists()
    assert invitations(db) == 0
