"""Training and evaluation tooling: not on a user's runtime path (models ship as artefacts)."""
