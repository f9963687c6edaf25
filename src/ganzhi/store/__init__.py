"""Storage: SQLAlchemy tables and migrations, repositories, the job ledger and the blob store."""
