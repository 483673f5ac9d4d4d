"""Storage: the database and its tables, the audit trail, retention, backup and restore."""
