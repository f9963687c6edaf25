"""HTTP transfer measurement shared by the speed test and the cloud-drive probe: timed I/O, rates, a stream server."""
