"""Users, roles, tokens and principal-scoped queries, without HTTP (the web package is one face of them)."""
