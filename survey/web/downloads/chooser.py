"""The researcher's download page: the form's choice read from the query, and the links
that download it. The page asks nothing the downloads do not take as query parameters, so
a chosen file is an ordinary link (and a refused download shows this page again)."""

from __future__ import annotations

from dataclasses import dataclass

from flask import request, url_for

from survey.exports.choices import FORMATS, Offer, Version
from survey.exports.selection import ExportFilter
from survey.web import params

ENDPOINTS = {
    "xlsx": "research.research_workbook",
    "csv": "research.research_csv",
    "zip": "research.research_package",
}


@dataclass(frozen=True)
class Choice:
    """What the researcher chose on the page (or asked a download for)."""

    version: Version | None
    rounds: tuple[str, ...]
    associations: tuple[str, ...]
    comments: bool
    form: str  # one of FORMATS
    sep: str  # "comma" or "semicolon" (CSV)
    unrecoded: bool

    def filter(self) -> ExportFilter:
        return ExportFilter(
            rounds=self.rounds,
            associations=self.associations,
            questionnaire=self.version.key if self.version else None,
            version=self.version.version if self.version else None,
        )

    def download_url(self, lang: str) -> str:
        """The download of this choice: the same query the download routes read."""
        query: dict[str, object] = {
            "round": list(self.rounds),
            "forbund": list(self.associations),
        }
        if self.version:
            query.update(questionnaire=self.version.key, version=self.version.version)
        if self.comments:
            query["comments"] = "1"
        if self.unrecoded:
            query["unrecoded"] = "1"
        if self.form == "csv":
            query["sep"] = self.sep
        if self.form == "zip":
            query["lang"] = lang
        return url_for(ENDPOINTS[self.form], **query)


def read_choice(offer: Offer) -> Choice:
    """The choice in the query: the page's own fields (`q` = "key:version") or a download's
    (`questionnaire` and `version`); the newest version where none is named."""
    args = request.args
    named = args.get("q")
    if named is None and args.get("questionnaire") and args.get("version"):
        named = f"{args['questionnaire']}:{args['version']}"
    form = args.get("format") or _format_of(request.endpoint)
    return Choice(
        version=offer.version(named),
        rounds=tuple(params.args("round")),
        associations=tuple(params.args("forbund")),
        comments=args.get("comments", "") in ("1", "true", "yes", "ja"),
        form=form if form in FORMATS else "zip",
        sep="semicolon" if args.get("sep") == "semicolon" else "comma",
        unrecoded=args.get("unrecoded") == "1",
    )


def _format_of(endpoint: str | None) -> str:
    return next((form for form, name in ENDPOINTS.items() if name == endpoint), "zip")
