"""The UI speaks Swedish by default and English on request or by browser preference."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from builders import invite, make_round
from exportdata import sheet_rows, workbook

from survey.web import charts


def test_swedish_by_default_english_by_switch_and_browser(client, db):
    token = invite(db, make_round(db))[0]
    assert "Om dig" in client.get(f"/r/{token}").text
    english = client.get(f"/r/{token}?lang=en").text
    assert "About you" in english and "What is your role" in english
    # The choice is remembered for the next page in this browser.
    assert "About you" in client.get(f"/r/{token}").text
    fresh = client.application.test_client()
    browser_en = fresh.get(f"/r/{token}", headers={"Accept-Language": "en-GB,en;q=0.9"})
    assert "About you" in browser_en.text


def test_every_ui_string_has_swedish_and_the_catalogue_is_compiled():
    root = Path(__file__).resolve().parent.parent
    result = subprocess.run(
        [sys.executable, "scripts/translations.py", "--check"],
        cwd=root,
        capture_output=True,
        text=True,
    )
    assert result.returncode == 0, result.stdout


def swedish(msgid: str, context: str | None = None) -> str:
    po = Path(__file__).resolve().parent.parent / "survey/translations/sv/LC_MESSAGES/messages.po"
    with po.open("rb") as fh:
        return read_po(fh).get(msgid, context).string


@pytest.mark.parametrize("lang", ["sv", "en"])
def test_excel_headings_and_chart_words_come_from_the_catalogue(admin_client, db, lang):
    def word(msgid: str, context: str | None = None) -> str:
        return swedish(msgid, context) if lang == "sv" else msgid

    make_round(db, state="published")  # no answers: every dimension is "too few answers"
    wb = workbook(admin_client.get(f"/export/norrsund/2026.xlsx?lang={lang}").data)
    assert wb.sheetnames[0] == word("Overview") and wb.sheetnames[-1] == word("About")
    heading = sheet_rows(wb, word("Overview"))[0][0]
    assert heading == word("Coordination association", "board workbook")
    fig = charts.distribution(["STRAT"], [None], list("12345"), "", 5, lang=lang)
    assert fig.layout.xaxis.title.text == word("Share of answers (don't know not counted)")
    assert fig.layout.annotations[0].text == word("too few answers (n < %(k)s)") % {"k": 5}
    expected = {"sv": ("Översikt", "Förbund"), "en": ("Overview", "Coordination association")}
    assert (wb.sheetnames[0], heading) == expected[lang]


def test_no_template_text_has_a_bare_percent_sign():
    """Jinja's gettext formats every text with `%`: a bare "95 % interval" is a format
    directive ("% i") and the page a 500 in whichever language leaves it untranslated.
    A percentage goes in as a value (`%(level)s`, level="95 %") or as "%%"."""
    root = Path(__file__).resolve().parent.parent / "survey" / "templates"
    call = re.compile(r'_\(\s*"((?:[^"\\]|\\.)*)"')
    bare = re.compile(r"%(?!\(\w+\)[sd]|%)")
    found = [
        f"{path.relative_to(root)}: {text[:60]}"
        for path in sorted(root.rglob("*.html"))
        for text in call.findall(path.read_text(encoding="utf-8"))
        if bare.search(text)
    ]
    assert found == []
