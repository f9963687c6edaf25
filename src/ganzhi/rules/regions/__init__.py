"""Reference data on China's administrative regions: province and county divisions, census populations, distances."""
