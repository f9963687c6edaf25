"""Port-out halls (T9): registry and published-list importers, layout measurement and the nearest-hall finder."""
