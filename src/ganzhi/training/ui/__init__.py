"""Evaluation of UI close-control detection on AidUI and building the close-control lexicon from GKD rules."""
