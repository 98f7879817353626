"""Alembic migrations for copbot's tables (a package so the files ship inside the wheel)."""
