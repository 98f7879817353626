"""Alembic revisions, oldest first by ``down_revision`` (a package so the files ship inside the wheel)."""
