"""The UI speaks Swedish by default and English on request or by browser preference."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from builders import invite, make_round


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
