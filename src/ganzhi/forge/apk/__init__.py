"""APK forge: write real APK files (binary AXML manifest, valid DEX) from an `ApkSpec`."""
