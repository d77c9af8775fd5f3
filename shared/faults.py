"""Failpoints: named places where a test may have the process die on purpose.

``COOP_FAILPOINTS=relay_before_publish`` makes the process SIGKILL itself there, which is
how the tests prove that a crash between commit and publish delays an event, never loses it.
"""
import os
import signal


def failpoint(name: str) -> None:
    if name in os.environ.get("COOP_FAILPOINTS", "").split(","):
        os.kill(os.getpid(), signal.SIGKILL)
