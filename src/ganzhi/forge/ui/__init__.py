"""Forges of UI capture bundles (splash ads, popups, permission dialogs) with known ground truth."""
