"""The example client in docs/ (docs/api_client.py) against a live server: a förbund's
trend into pandas, through real HTTP with a token made as on the account page."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from builders import add_response, all_items, make_round, make_user

from survey.accounts import api_tokens
from survey.db import audit

CLIENT = Path(__file__).resolve().parent.parent / "docs" / "api_client.py"


@pytest.mark.slow
def test_the_example_client_pulls_a_trend_into_pandas(live_server):
    with live_server.app.extensions["survey_sessions"]() as db:
        for label in ("2025", "2026"):
            rnd = make_round(db, label=label, state="published")
            for person in range(5):
                add_response(db, rnd, all_items(db, rnd, lambda _i, p=person: 1 + p % 5))
        board = make_user(db, "b@norrsund.se", "board", "norrsund")
        token = api_tokens.issue(db, board, "trend", "aggregates", "norrsund", 30, audit.utcnow())
    run = subprocess.run(
        [sys.executable, str(CLIENT), live_server.url, "norrsund"],
        env={**os.environ, "SURVEY_API_TOKEN": token.secret},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert run.returncode == 0, run.stderr
    assert "2025" in run.stdout and "2026" in run.stdout and "STRAT" in run.stdout
    refused = subprocess.run(
        [sys.executable, str(CLIENT), live_server.url, "sydkust"],
        env={**os.environ, "SURVEY_API_TOKEN": token.secret},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert refused.returncode != 0 and "403 forbidden" in refused.stderr
