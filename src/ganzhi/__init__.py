"""ganzhi (感知): automated inspection and supervision for MIIT's 524 action.

The flow is collectors → evidence → checks → results → issues → supervision → outputs;
see README.md for the map and the commands.
"""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__"]
