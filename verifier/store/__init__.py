"""Store stage: the database schema, opening and migrating it, writing documents."""

from verifier.store.database import Database, database_url

__all__ = ["Database", "database_url"]
