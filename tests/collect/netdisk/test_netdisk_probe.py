"""Cloud-drive probe against the token-bucket throttle server: the burst-then-crawl free tier is caught."""

from __future__ import annotations

import asyncio

import pytest

from ganzhi.collect.netdisk.measure import summarise_transfer
from ganzhi.collect.netdisk.probe import ProbeOptions, probe
from ganzhi.collect.netdisk.throttle import ThrottleServer, TierPolicy, TokenBucket


def test_token_bucket_spends_burst_then_paces() -> None:
    bucket = TokenBucket(rate=1000, burst=5000, stamp=0.0)
    assert bucket.delay_for(5000, 0.0) == 0
    assert bucket.delay_for(1000, 0.0) == pytest.approx(1.0)


def test_summary_keeps_curve_and_sustained_rate_catches_a_drop() -> None:
    samples = [(float(t), 1_000_000 * min(t, 4) + 50_000 * max(0, t - 4)) for t in range(13)]
    measure = summarise_transfer(samples, warmup=1.0, window=1.0)
    assert measure.curve[0].kbyte_s == pytest.approx(1000)
    assert measure.sustained_kbyte_s == pytest.approx(50)
    assert measure.mean_kbyte_s > 300


def test_free_tier_bursts_then_crawls_paid_tier_stays_fast() -> None:
    async def main() -> None:
        server = ThrottleServer({"free": TierPolicy(100_000, 500_000), "paid": TierPolicy(2_000_000, 2_000_000)})
        port = await server.start()
        base = f"http://127.0.0.1:{port}"
        try:
            results = {}
            for tier in ("free", "paid"):
                options = ProbeOptions(
                    duration=2.0,
                    warmup=0.3,
                    window=0.25,
                    headers={"Authorization": f"Bearer {tier}-token"},
                    upload_bytes=20 << 20,
                )
                results[tier] = await probe(
                    f"{base}/file/x?bytes=100000000&sig=secret",
                    tier=tier,
                    network="lo",
                    options=options,
                    upload_url=f"{base}/upload",
                )
            free, paid = results["free"].download, results["paid"].download
            assert free is not None and paid is not None
            assert max(p.kbyte_s for p in free.curve) > 1000  # the burst stays visible in the curve
            assert 70 < free.sustained_kbyte_s < 140
            assert 1500 < paid.sustained_kbyte_s < 2500
            assert results["free"].upload is not None and results["free"].upload.bytes > 0
            assert "sig=secret" not in results["free"].target
            unauthorised = await probe(f"{base}/file/x", tier="free", network="lo", options=ProbeOptions(duration=1.0))
            assert unauthorised.download is not None and "401" in unauthorised.download.errors[0]
        finally:
            await server.close()

    asyncio.run(main())


def test_unreachable_and_bad_urls_become_errors() -> None:
    async def main() -> None:
        server = ThrottleServer()
        port = await server.start()
        await server.close()
        down = await probe(f"http://127.0.0.1:{port}/f", tier="free", network="lo", options=ProbeOptions(duration=1))
        assert down.download is not None and "cannot connect" in down.download.errors[0]
        bad = await probe("file:///etc/passwd", tier="free", network="lo")
        assert bad.download is None and "expected an http(s) URL" in bad.errors[0]

    asyncio.run(main())
