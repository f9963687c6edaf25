"""Forges: write real artefacts (APK files) from declarative specs, with known ground truth."""
