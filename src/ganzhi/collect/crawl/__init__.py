"""Live collection (采集): crawl what operators, apps and stores publish, as data-driven specs.

A collection spec (YAML, `spec.py`) names a site's seeds, allowed hosts, follow rules, which pages become which
evidence kind and a schedule. `spider.py` runs it on Scrapy (robots.txt, AutoThrottle, retry with backoff, HTTP
cache) with `middlewares.py` refusing private and loopback destinations, and `render.py` driving Debian's Chromium
through Playwright for pages rendered by JavaScript. Pages are handed to a `PageSink` (the frontier and page store
live above this layer, in `ganzhi.usecases.crawl`); `extract.py` turns stored pages into typed evidence and
`diff.py` compares two collections. Nothing here imports the store.
"""

from __future__ import annotations
