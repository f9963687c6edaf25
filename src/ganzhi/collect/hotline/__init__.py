"""Customer-service hotlines (T10): registry and dial-test import, IVR analysis and a SIP dial tester."""
