"""Cross-region handling (T8): capability matrix import and the province heatmap."""
