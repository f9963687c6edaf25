"""Operator-side domains: tariff catalogues, usage reminders, broadband contracts, 5G marketing."""
