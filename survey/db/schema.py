"""Creating and recognising the schema. Production databases are made and upgraded by
the migrations (`survey.db.migrations`); this is the quick way for tests and benchmarks."""

from __future__ import annotations

from sqlalchemy.engine import Engine

from survey.db import migrations, models


def create_schema(engine: Engine) -> None:
    """Today's tables in one go, stamped as the newest revision (Alembic's recipe for a
    fresh database), so the app serves it as current. The migration test proves the
    revisions build the same schema."""
    models.Base.metadata.create_all(engine)
    migrations.stamp_head(engine)
