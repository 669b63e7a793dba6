"""How long a worker lives: no longer than the process that started it."""

from __future__ import annotations

import signal


def die_with_parent() -> None:
    """Linux: SIGKILL when the parent (the front end; a forked worker's zygote) dies, even mid-request (nobody is
    left to answer; without this a worker ignoring SIGTERM would only notice at its next read of the channel)."""
    try:
        import ctypes

        PR_SET_PDEATHSIG = 1
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGKILL)
    except (OSError, AttributeError, ImportError):
        pass
