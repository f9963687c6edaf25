"""APK collector: ZIP (apkInspector), binary manifest, signers, our own DEX reader and call-site scanner."""
