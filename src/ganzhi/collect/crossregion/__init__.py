"""Cross-region handling (T8): the capability matrix importer."""
