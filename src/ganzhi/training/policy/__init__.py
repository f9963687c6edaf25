"""Training, evaluation and agreement ceilings of the privacy-policy sentence classifier on CAPP-130."""
