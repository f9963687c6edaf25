"""Number-portability (T9) eligibility cases read from JSON lines."""
