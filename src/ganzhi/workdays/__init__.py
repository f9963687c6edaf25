"""China's working days: the holiday calendar as data, and deadlines counted in working days.

A low-level package: the engine (deadlines of new issues) and supervision (reminders, triggers, look-backs)
both use it, and it imports only the catalog and errors.
"""
