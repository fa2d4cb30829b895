"""Settings from the environment, with defaults for the embedded SQLite database in instance/."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

DEFAULT_MIN_GROUP_SIZE = 5
#: The design notes forbid a smaller k whatever the configuration says.
MIN_GROUP_SIZE_FLOOR = 3


def database_url(instance_path: str) -> str:
    """`DATABASE_URL` if set (PostgreSQL in production), else SQLite in the instance folder."""
    url = os.environ.get("DATABASE_URL", "").strip()
    if not url:
        return "sqlite:///" + str(Path(instance_path) / "survey.db")
    # Hosting platforms hand out postgres:// URLs; SQLAlchemy wants an explicit driver.
    for prefix in ("postgres://", "postgresql://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


def secret_key(instance_path: str) -> str:
    """`SECRET_KEY` from the environment, else one generated once and kept in instance/."""
    from_env = os.environ.get("SECRET_KEY")
    if from_env:
        return from_env
    key_file = Path(instance_path) / "secret_key"
    if key_file.exists():
        return key_file.read_text().strip()
    key_file.parent.mkdir(parents=True, exist_ok=True)
    key = secrets.token_hex(32)
    key_file.write_text(key)
    key_file.chmod(0o600)
    return key


def min_group_size(value: object) -> int:
    """Clamp a configured k to the floor of 3 the anonymity rules demand."""
    try:
        k = int(value)  # type: ignore[arg-type]
    except (TypeError, ValueError):
        k = DEFAULT_MIN_GROUP_SIZE
    return max(k, MIN_GROUP_SIZE_FLOOR)


def questionnaire_dir() -> Path:
    """Where `survey init` looks for questionnaire files: $QUESTIONNAIRE_DIR, else
    ./questionnaires, else the folder beside the package (a checkout run from elsewhere)."""
    if os.environ.get("QUESTIONNAIRE_DIR"):
        return Path(os.environ["QUESTIONNAIRE_DIR"])
    here = Path("questionnaires")
    beside_package = Path(__file__).resolve().parent.parent / "questionnaires"
    return here if here.is_dir() or not beside_package.is_dir() else beside_package
