"""An example client of the read-only API: a förbund's trend, round by round, as a pandas
data frame (one row per round and dimension; suppressed groups have n and no mean).

    SURVEY_API_TOKEN=smk_… python docs/api_client.py http://127.0.0.1:5000 norrsund

The token is a personal API token made on the account page (/account/tokens). Needs
`requests` and `pandas`. tests/test_api_client.py runs it against a live server."""

from __future__ import annotations

import os
import sys

import pandas as pd
import requests


def trend(base_url: str, token: str, slug: str) -> pd.DataFrame:
    """Every published round of the förbund `slug`, its dimensions' figures in rows."""
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {token}"

    def get(path: str) -> dict:
        answer = api.get(base_url.rstrip("/") + path, timeout=30)
        if answer.status_code != 200:
            error = answer.json()["error"]
            raise SystemExit(f"{answer.status_code} {error['code']}: {error['message']}")
        return answer.json()

    rows = []
    for rnd in get(f"/api/v1/forbund/{slug}/rounds")["rounds"]:
        if not rnd["published"]:
            continue
        figures = get(rnd["links"]["aggregates"])
        for dim in figures["dimensions"]:
            rows.append(
                {
                    "round": figures["round"],
                    "dimension": dim["code"],
                    "name": dim["name"],
                    "n": dim["n"],
                    "mean": dim["mean"],
                    "sd": dim["sd"],
                    "national_mean": dim["national_mean"],
                    "suppressed": dim["suppressed"],
                }
            )
    return pd.DataFrame(rows)


if __name__ == "__main__":
    frame = trend(sys.argv[1], os.environ["SURVEY_API_TOKEN"], sys.argv[2])
    print(frame.pivot(index="dimension", columns="round", values="mean").round(2))
