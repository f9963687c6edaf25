"""UI evidence for T4 (splash/popup close controls, jump links, shake) and T3 (permission purpose).

`bundle` defines the capture bundle format; `importers` and `capture` make bundles; `detect` finds close
controls; `analyse` turns a bundle into `ui_episode` evidence that the T4/T3 checks judge.
"""
