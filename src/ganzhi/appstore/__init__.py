"""The app store's pre-listing gate: intake and scanning service, verdict rule, webhook delivery, submissions."""
