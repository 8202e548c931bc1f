"""Process-level memory habits of long commands (build, check).

A build allocates a few hundred thousand objects (records, stories, views, plan entries) that
all live until it ends. Python's cycle collector would scan them again and again while they
are made (about 0.6 s of a 10,000-story rebuild); they hold no cycles worth collecting, so
the collector is paused while they are made and they are then frozen out of its sight,
which also keeps forked workers from touching (and so copying) their pages.
"""

from __future__ import annotations

import gc
import os
import sys
from contextlib import contextmanager
from typing import Iterator


@contextmanager
def long_lived() -> Iterator[None]:
    """Objects made inside are kept to the end of the process: no collection while they are made."""
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        gc.freeze()
        if was_enabled:
            gc.enable()


def exit_now(code: int) -> None:
    """End a command-line run without tearing the heap down object by object (a large build
    frees millions of objects on the way out): streams are flushed, then the process ends.
    Under a profiler or tracer (cProfile, coverage) the usual exit runs, so they can report."""
    import logging

    if sys.getprofile() is not None or sys.gettrace() is not None:
        sys.exit(code)

    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
