"""Android platform facts the APK checks judge with: which broadcasts reach a manifest receiver, what a
start target string can be."""
