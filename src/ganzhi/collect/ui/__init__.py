"""UI captures (T4, T3 permission purpose): bundles, hierarchy dumps, screenshots, close-control detection, OCR."""
