"""Analyses off the server's request threads: a few workers, a bounded queue.

Analysis is CPU-bound. Run on the server's general thread pool (40 threads), a
burst of analyses starves every read; here at most ``workers`` run at once on
threads of their own, at lower CPU priority (``analysis_nice``), at most ``queue``
more wait, and any beyond that are told to come back (``BusyError``: 503 with
Retry-After) instead of piling up.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import threading
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from functools import partial
from typing import Any, TypeVar

from critica import config
from critica.errors import BusyError

T = TypeVar("T")


def lower_priority(nice: int) -> None:
    """Lower the calling thread's CPU priority by ``nice`` (Linux, where a thread has a
    priority of its own; elsewhere nothing changes)."""
    if nice and sys.platform == "linux":
        # Where it is not permitted, analyses simply run at the usual priority.
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


class AnalysisPool:
    """Runs analyses for an event loop: ``await pool.run(fn, *args)``."""

    def __init__(self, workers: int | None = None, queue: int | None = None) -> None:
        chosen = int(config.get("analysis_workers")) if workers is None else workers
        self.workers = chosen or (os.cpu_count() or 1)
        self.queue = int(config.get("analysis_queue")) if queue is None else queue
        # Analysis threads run at a lower CPU priority than the server's own: when both
        # cores are busy analysing, a read still gets a core at once.
        self._executor = ThreadPoolExecutor(
            self.workers,
            thread_name_prefix="critica-analysis",
            initializer=lower_priority,
            initargs=(int(config.get("analysis_nice")),),
        )
        self.pending = 0  # running and waiting; changed on the event loop's thread only

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` on an analysis worker; ``BusyError`` when the queue is full."""
        if self.pending >= self.workers + self.queue:
            raise BusyError(
                f"{self.pending} analyses are running or waiting; try again in a few seconds"
            )
        self.pending += 1
        try:
            loop = asyncio.get_running_loop()
            return await loop.run_in_executor(self._executor, partial(fn, *args, **kwargs))
        finally:
            self.pending -= 1

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
