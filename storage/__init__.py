"""copbot's storage: SQLModel tables, Alembic migrations and the queries; nothing outside writes SQL."""
