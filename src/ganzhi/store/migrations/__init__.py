"""Alembic migrations of the ganzhi database, shipped inside the package."""
