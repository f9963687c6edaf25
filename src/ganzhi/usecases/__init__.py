"""The jobs users start (scan an APK, render a report, look back, draft lists): the one place that combines
collectors, the engine, findings, the store and outputs.
"""
