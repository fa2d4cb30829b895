"""The floor for bench/load.py: a bare Flask app whose POST inserts one row and whose GET
reads one, through SQLAlchemy on the same database settings as ours (SQLite in WAL mode
with the write lock taken up front)."""

from __future__ import annotations

import os

from flask import Flask
from sqlalchemy import text

from survey.db.engine import make_engine, transaction
from survey.db.engine import session_factory as sessions


def create_app() -> Flask:
    app = Flask(__name__)
    engine = make_engine(os.environ["DATABASE_URL"])  # the table: bench/load.py makes it
    make_session = sessions(engine)

    @app.get("/bare")
    def read():
        with make_session() as session:
            return {"rows": session.execute(text("SELECT MAX(id) FROM bare")).scalar_one()}

    @app.post("/bare")
    def insert():
        with make_session() as session, transaction(session):
            session.execute(text("INSERT INTO bare (v) VALUES ('x')"))
        return {"ok": True}

    return app


def make_table(database_url: str) -> None:
    engine = make_engine(database_url)
    key = "INTEGER PRIMARY KEY" if engine.dialect.name == "sqlite" else "SERIAL PRIMARY KEY"
    with engine.begin() as conn:
        conn.execute(text(f"CREATE TABLE IF NOT EXISTS bare (id {key}, v TEXT)"))
    engine.dispose()
