"""携号转网 (number portability): turning T9 check results into per-number answers."""
