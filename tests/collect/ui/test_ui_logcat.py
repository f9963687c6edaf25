from __future__ import annotations

from ganzhi.collect.ui.logcat import LoggedActivity, logged_activities

APP = "com.example.app"
LOG = """\
--------- beginning of events
1700000000.100  1000  1020 I wm_resume_activity: [0,111,5,com.old/.Before]
1700000001.000  4321  4321 I ganzhi  : ganzhi-capture-start
1700000001.250  1000  1020 I wm_resume_activity: [0,222,7,com.example.app/.SplashActivity]
1700000001.300  1000  1046 I ActivityTaskManager: Displayed com.example.app/.SplashActivity for user 0: +210ms
1700000003.5  5555  5555 I wm_on_resume_called: [333,com.example.app.ads.LandingActivity,RESUME_ACTIVITY]
1700000003.600  5555  5555 I wm_on_resume_called: [444,com.other.Foreign,RESUME_ACTIVITY]
garbage line without a time
1700000004.000  1000  1046 I ActivityManager: Displayed com.browser/org.chromium.Main: +1s12ms
"""


def test_changes_after_the_marker_on_the_bundle_clock() -> None:
    found = logged_activities(LOG, 400, APP, limit=100)
    assert found == [
        LoggedActivity(650, APP, "com.example.app.SplashActivity"),  # resume; the Displayed repeat is dropped
        LoggedActivity(2900, APP, "com.example.app.ads.LandingActivity"),  # on_resume: class only, app's package
        LoggedActivity(3400, "com.browser", "org.chromium.Main"),  # a foreign class from on_resume is not placed
    ]


def test_no_marker_means_no_placement_and_limit_bounds_the_list() -> None:
    assert logged_activities(LOG.replace("ganzhi-capture-start", "other"), 0, APP, limit=100) is None
    assert logged_activities("", 0, APP, limit=100) is None
    assert len(logged_activities(LOG, 0, APP, limit=1) or []) == 1
