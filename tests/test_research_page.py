"""The researcher's download page: from the front page to a chosen file, without typing a
URL; a refused choice shows the form again with the reason, never a bare 400."""

from __future__ import annotations

import io
import re
import zipfile

import pytest
from builders import add_response, all_items, make_round
from conftest import signed_in
from exportdata import build

from survey.exports import choices


@pytest.fixture
def client(app):
    return signed_in(app, app.test_client(), role="researcher", email="forskare@test.invalid")


def with_version_2(db):
    """The export data (version 1: 2025 and 2026) and a 2027 round of version 2."""
    rounds = build(db)
    rounds["n27"] = make_round(db, "norrsund", "2027", state="published", version=2)
    for i in range(5):
        answers = all_items(db, rounds["n27"], lambda item, i=i: (len(item.code) + i) % 5 + 1)
        add_response(db, rounds["n27"], answers, "handlaggare", "kommun")
    return rounds


def download_link(html: str) -> str:
    match = re.search(r'<a class="button primary" href="([^"]+)" download>', html)
    assert match, "the page offers no download"
    return match.group(1).replace("&amp;", "&")


def test_the_front_page_leads_to_a_form_with_the_newest_version_chosen(client, db):
    with_version_2(db)
    front = client.get("/").get_data(as_text=True)
    assert 'href="/export/"' in front and "research.xlsx" not in front
    page = client.get("/export/").get_data(as_text=True)
    assert re.search(r'<option value="integrerad-samverkan:2" selected>', page)
    assert "integrerad-samverkan:1" in page  # the older version can be chosen
    shown = client.get("/export/?show=1&format=zip")
    assert shown.status_code == 200
    html = shown.get_data(as_text=True)
    assert re.search(r'id="choice-responses">5<', html)
    assert "at least 5 respondents" in html or "minst 5" in html
    assert "/export/research.zip?" in download_link(html) and "version=2" in download_link(html)


def test_choosing_the_older_version_and_one_round_counts_its_responses(client, db):
    with_version_2(db)
    html = client.get(
        "/export/?show=1&q=integrerad-samverkan:1&round=2026&format=xlsx&lang=en"
    ).get_data(as_text=True)
    # Norrsund 2026 holds 6; Sydkust's 2 are under k and left out
    assert re.search(r'id="choice-responses">6<', html)
    assert "Left out" in html
    link = download_link(html)
    resp = client.get(link)
    assert resp.status_code == 200 and resp.mimetype.endswith("spreadsheetml.sheet")


def test_a_refused_download_shows_the_form_again_with_the_reason(client, db):
    with_version_2(db)
    # The old front page's link: every published round, two versions whose statements differ.
    resp = client.get("/export/research.xlsx?lang=en")
    html = resp.get_data(as_text=True)
    assert resp.status_code == 400
    assert "export one version at a time" in html
    assert '<select id="q" name="q"' in html  # the form, with the newest chosen
    assert re.search(r'<option value="integrerad-samverkan:2" selected>', html)
    # Comments are not in the CSV: said on the page, before any download.
    resp = client.get("/export/?show=1&format=csv&comments=1&lang=en")
    assert resp.status_code == 400
    assert "Comments come only in the researcher" in resp.text
    # A round asked with the other version: no match, and the form again.
    resp = client.get("/export/?show=1&q=integrerad-samverkan:2&round=2025&lang=en")
    assert resp.status_code == 400 and "No published survey round matches" in resp.text


def test_a_large_choice_says_how_long_it_takes(client, db, monkeypatch):
    with_version_2(db)
    monkeypatch.setattr(choices, "RESPONSES_PER_SECOND", 1)  # 5 responses: 5 seconds
    html = client.get("/export/?show=1&lang=en").get_data(as_text=True)
    assert re.search(r'id="choice-time">A large choice: the file takes about 5 seconds', html)
    monkeypatch.setattr(choices, "RESPONSES_PER_SECOND", 2500)
    assert "choice-time" not in client.get("/export/?show=1").get_data(as_text=True)


def test_the_packages_readme_lists_every_file_in_it(client, db):
    with_version_2(db)
    html = client.get("/export/?show=1&format=zip").get_data(as_text=True)
    data = client.get(download_link(html)).data
    archive = zipfile.ZipFile(io.BytesIO(data))
    readme = archive.read("README.txt").decode()
    listed = {line.split(":")[0] for line in readme.splitlines() if re.match(r"^\S+\.\w+: ", line)}
    assert listed == set(archive.namelist())
    assert "svar_lang.csv" in listed and "svar_lang.parquet" in listed


def test_with_nothing_published_the_page_says_so(client, db):
    make_round(db, "norrsund", "2026", state="open")
    html = client.get("/export/?lang=en").get_data(as_text=True)
    assert "No survey round has been published yet" in html


def test_board_members_do_not_reach_the_page(app, db):
    make_round(db, "norrsund", "2026", state="published")
    board = signed_in(app, app.test_client(), role="board", forbund="norrsund")
    assert board.get("/export/").status_code == 403
