"""Two first log-ins of one subject at once: both look the identity up and find none.
The second must not end in a 500 (the unique (issuer, subject) of federated_identity) nor
in a wrong "linked elsewhere" refusal: it is a normal log-in of the user the first linked.

On PostgreSQL the other log-in is another connection that links the same subject and
commits, either right after this log-in's lookup (this one then finds that identity when it
checks the user's links) or just before its insert (the insert collides; the service rolls
back and tries once more). On SQLite a unit of work holds the write lock from its first
statement (BEGIN IMMEDIATE), so no other connection can write in between; there the
collision is made inside the unit of work (the same row written just before the service's
own), which takes the same path: IntegrityError, roll back, again."""

from __future__ import annotations

import datetime as dt

import pytest
from builders import make_round, make_user
from sqlalchemy import create_engine, event, func, insert, select

from survey.db import models
from survey.federation import config, linking

YAML = """
providers:
  - id: region
    kind: oidc
    display_name: Region Norrsund
    oidc: {issuer: "https://idp.example.se", client_id: survey, client_secret: s}
"""
NOW = dt.datetime(2026, 12, 8, 1, 0)
CLAIMS = linking.FederatedClaims(
    "region", "https://idp.example.se", "subject-1", "anna@norrsund.se", True
)


@pytest.fixture
def provider():
    return config.parse(YAML, "federation.yaml").providers[0]


def _identity_row(user_id: int) -> dict:
    return {
        "user_id": user_id,
        "provider_id": "region",
        "issuer": CLAIMS.issuer,
        "subject": CLAIMS.subject,
        "linked_at": NOW,
    }


@pytest.mark.parametrize("moment", ["after_lookup", "before_insert"])
def test_a_simultaneous_first_log_in_of_one_subject_is_a_log_in_not_a_500(
    app, db, provider, database_url, moment
):
    postgresql = database_url.startswith("postgresql")
    if moment == "after_lookup" and not postgresql:
        pytest.skip("SQLite: the unit of work holds the write lock from its first statement")
    make_round(db, "norrsund")
    user = make_user(db, "anna@norrsund.se", "board", "norrsund")
    inserted: list[str] = []
    other = create_engine(database_url) if postgresql else None

    def other_links() -> None:
        inserted.append("other connection")  # the other log-in links and commits
        with other.begin() as c:
            if moment == "before_insert":
                # This log-in holds its user's row FOR UPDATE by now; the other's foreign
                # key check would wait for it (in this one thread: for ever). The other
                # committed just before that lock was taken: its check is switched off.
                c.exec_driver_sql("SET LOCAL session_replication_role = replica")
            c.execute(insert(models.FederatedIdentity), _identity_row(user.user_id))

    def lookup_done(conn, cursor, statement, parameters, context, executemany):
        """Right after this log-in's lookup found nothing, the other links."""
        if not inserted and statement.startswith("SELECT federated_identity.id, "):
            other_links()

    def before_insert(conn, cursor, statement, parameters, context, executemany):
        """Just before this log-in's insert, the other links (SQLite: the same row is
        written in this unit of work, the only writer there can be)."""
        if inserted or not statement.startswith("INSERT INTO federated_identity"):
            return
        if other is not None:
            other_links()
        else:
            inserted.append("same transaction")
            cursor.execute(statement.replace(" RETURNING id", ""), parameters)

    engine = db.get_bind()
    if moment == "after_lookup":
        hook = ("after_cursor_execute", lookup_done)
    else:
        hook = ("before_cursor_execute", before_insert)
    event.listen(engine, *hook)
    try:
        outcome = linking.federated_login(db, provider, CLAIMS, NOW)
    finally:
        event.remove(engine, *hook)
        if other is not None:
            other.dispose()
    assert inserted, "the collision was not made"
    assert outcome.principal.user_id == user.user_id
    assert outcome.next == linking.DONE
    count = db.scalar(select(func.count()).select_from(models.FederatedIdentity))
    assert count == 1
    logins = db.scalars(
        select(models.AuditEvent.action).where(models.AuditEvent.action.like("federated%"))
    ).all()
    assert logins == ["federated_login"]
