"""Cloud-drive (网盘) probes: timed transfers per tier, a throttling test server, page disclosure."""
