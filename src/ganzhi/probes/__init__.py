"""Active probes: broadband speed test and the cloud-drive rate probe."""
