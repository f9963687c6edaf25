"""Verdict accuracy on a labelled corpus of realistic documents: the measure of whether a FAIL can be defended.

A case is a folder with realistic input files and `case.yaml` (which loader reads them, what public format they
were modelled on, and the labelled verdicts). Each loader runs the same collectors a user's command runs, the engine
judges the evidence, and `score` compares verdict by verdict.
"""
