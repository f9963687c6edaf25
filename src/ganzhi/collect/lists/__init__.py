"""The two PI lists (T6/T7): importers and the facts an APK scan gives for cross-checking."""
