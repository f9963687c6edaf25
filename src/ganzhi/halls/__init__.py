"""Port-out halls (T9): registry import, county placement, nearest-hall index and layout metrics."""
