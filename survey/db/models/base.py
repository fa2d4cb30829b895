"""The declarative base every model shares."""

from __future__ import annotations

from enum import StrEnum

from sqlalchemy.orm import DeclarativeBase


class Base(DeclarativeBase):
    pass


def check_in(column: str, values: type[StrEnum]) -> str:
    """A CHECK clause that keeps a column inside an enum's values."""
    listed = ", ".join(f"'{v.value}'" for v in values)
    return f"{column} IN ({listed})"
