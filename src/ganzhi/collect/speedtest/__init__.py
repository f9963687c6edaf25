"""Broadband speed test: server, client, diagnosis and the browser page."""
