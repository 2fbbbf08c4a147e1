"""Analyses off the server's request threads: a few workers, a bounded queue.

Analysis is CPU-bound. Run on the server's general thread pool (40 threads), a
burst of analyses starves every read; here at most ``workers`` analyses run at
once, at lower CPU priority (``analysis_nice``), at most ``queue`` more wait, and
any beyond that are told to come back (``BusyError``: 503 with Retry-After)
instead of piling up.

With ``analysis_processes`` (the default) the analysis itself runs in worker
processes, so it never holds the server's GIL: reads wait for a core, never for
the interpreter, and two cores analyse about two-thirds more reviews than two
threads did (docs/reliability.md). The store work around an analysis (checking
the title and token, saving the result) stays on the pool's threads, which keep
the server's one connection pool.

Worker processes are started with ``spawn`` (never ``fork`` from a threaded
server), load the models once, follow the server's ``CRITICA_*`` settings, and
leave when the server does, however it stops. One executor per configuration is
shared by every app in the process, so a test suite that builds many apps starts
its workers once.
"""

from __future__ import annotations

import asyncio
import contextlib
import multiprocessing
import os
import sys
import threading
import time
from collections.abc import AsyncIterator, Callable
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from functools import partial
from typing import TYPE_CHECKING, Any, TypeVar

from critica import config
from critica.errors import BusyError, CriticaError

if TYPE_CHECKING:
    from critica.analysis import Analysis

T = TypeVar("T")
WARM_UP = "A warm-up sentence, so the first review does not wait for the models to load."


def lower_priority(nice: int) -> None:
    """Lower the calling thread's CPU priority by ``nice`` (Linux, where a thread has a
    priority of its own; elsewhere nothing changes)."""
    if nice and sys.platform == "linux":
        # Where it is not permitted, analyses simply run at the usual priority.
        with contextlib.suppress(OSError):
            os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), nice)


def settings_env() -> dict[str, str]:
    """The ``CRITICA_*`` environment, which is every setting a worker must share."""
    return {k: v for k, v in os.environ.items() if k.startswith("CRITICA_")}


def _follow_settings(env: dict[str, str]) -> None:
    """Make this worker's settings the server's (changed ones only, then re-read)."""
    if env == settings_env():
        return
    for key in settings_env().keys() - env.keys():
        del os.environ[key]
    os.environ.update(env)
    config.settings.cache_clear()


def _watch_parent(parent: int) -> None:
    """Leave as soon as the server is gone, even after a kill -9 (no orphans)."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _start_worker(parent: int, nice: int, threads: int, env: dict[str, str]) -> None:
    """A worker process's start: lower priority, its share of the cores, a parent watch."""
    if nice:
        with contextlib.suppress(OSError):
            os.nice(nice)
    _follow_settings({**env, "CRITICA_THREADS": str(threads)})
    threading.Thread(target=_watch_parent, args=(parent,), daemon=True).start()


def _analyze_in_worker(
    env: dict[str, str], text: str, title: str | None, rating: str | None, meta: dict[str, Any]
) -> Analysis:
    from critica.core import analyze

    threads = os.environ["CRITICA_THREADS"]  # chosen at start, kept across setting changes
    _follow_settings({**env, "CRITICA_THREADS": threads})
    return analyze(text, title=title, rating=rating, **meta)


def _worker_threads(workers: int) -> int:
    """Inference threads per worker process: the server's setting, else a fair share."""
    chosen = int(config.get("threads"))
    return chosen or max(1, (os.cpu_count() or 1) // workers)


_EXECUTORS: dict[tuple[int, int, int], ProcessPoolExecutor] = {}
_EXECUTORS_LOCK = threading.Lock()


def _process_executor(workers: int, nice: int, threads: int) -> ProcessPoolExecutor:
    """The shared executor for this configuration, started on first use."""
    key = (workers, nice, threads)
    with _EXECUTORS_LOCK:
        if key not in _EXECUTORS:
            _EXECUTORS[key] = ProcessPoolExecutor(
                workers,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_start_worker,
                initargs=(os.getpid(), nice, threads, settings_env()),
            )
        return _EXECUTORS[key]


def _replace_broken(executor: ProcessPoolExecutor) -> None:
    """Forget an executor whose worker died, so the next analysis starts fresh ones."""
    with _EXECUTORS_LOCK:
        for key, known in list(_EXECUTORS.items()):
            if known is executor:
                del _EXECUTORS[key]
    executor.shutdown(wait=False, cancel_futures=True)


def shutdown_workers() -> None:
    """Stop every worker process this server started (at the server's shutdown)."""
    with _EXECUTORS_LOCK:
        executors = list(_EXECUTORS.values())
        _EXECUTORS.clear()
    for executor in executors:
        executor.shutdown(wait=True, cancel_futures=True)


class AnalysisPool:
    """Runs analyses for an event loop.

    ``async with pool.slot():`` admits one request (``BusyError`` when the queue is
    full); inside it, ``await pool.analyze(text, ...)`` runs the analysis (on a
    worker process, or on a thread without ``analysis_processes``) and
    ``await pool.in_thread(fn, ...)`` runs the store work around it.
    ``await pool.run(fn, ...)`` admits and runs ``fn`` on a thread in one step.
    """

    def __init__(
        self, workers: int | None = None, queue: int | None = None, processes: bool | None = None
    ) -> None:
        chosen = int(config.get("analysis_workers")) if workers is None else workers
        self.workers = chosen or (os.cpu_count() or 1)
        self.queue = int(config.get("analysis_queue")) if queue is None else queue
        self.processes = bool(config.get("analysis_processes")) if processes is None else processes
        self.nice = int(config.get("analysis_nice"))
        # Analysis threads run at a lower CPU priority than the server's own: when both
        # cores are busy analysing, a read still gets a core at once.
        self._executor = ThreadPoolExecutor(
            self.workers,
            thread_name_prefix="critica-analysis",
            initializer=lower_priority,
            initargs=(self.nice,),
        )
        self.pending = 0  # running and waiting; changed on the event loop's thread only

    @contextlib.asynccontextmanager
    async def slot(self) -> AsyncIterator[None]:
        """Admit one request's analysis, or raise ``BusyError`` when the queue is full."""
        if self.pending >= self.workers + self.queue:
            raise BusyError(
                f"{self.pending} analyses are running or waiting; try again in a few seconds"
            )
        self.pending += 1
        try:
            yield
        finally:
            self.pending -= 1

    async def in_thread(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` on one of the pool's threads (no admission of its own)."""
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self._executor, partial(fn, *args, **kwargs))

    async def run(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """``fn(*args, **kwargs)`` on an analysis thread; ``BusyError`` when the queue is full."""
        async with self.slot():
            return await self.in_thread(fn, *args, **kwargs)

    async def analyze(
        self, text: str, title: str | None = None, rating: str | None = None, **meta: Any
    ) -> Analysis:
        """``critica.analyze(text, title=..., rating=..., **meta)`` on a worker."""
        if not self.processes:
            from critica.core import analyze

            return await self.in_thread(analyze, text, title=title, rating=rating, **meta)
        executor = _process_executor(self.workers, self.nice, _worker_threads(self.workers))
        job = partial(_analyze_in_worker, settings_env(), text, title, rating, meta)
        try:
            return await asyncio.get_running_loop().run_in_executor(executor, job)
        except BrokenProcessPool:
            # A worker died mid-analysis (killed, out of memory): start fresh ones for the
            # next request, and tell this one to retry rather than fail it outright.
            _replace_broken(executor)
            raise BusyError(
                "an analysis worker stopped unexpectedly and has been restarted; "
                "try again in a few seconds"
            ) from None

    def warm_up(self) -> None:
        """Start the worker processes and load their models now, not on the first review."""
        if self.processes:
            executor = _process_executor(self.workers, self.nice, _worker_threads(self.workers))
            jobs = [
                executor.submit(_analyze_in_worker, settings_env(), WARM_UP, None, None, {})
                for _ in range(self.workers)
            ]
            try:
                for job in jobs:
                    job.result()
            except BrokenProcessPool as exc:
                _replace_broken(executor)
                raise CriticaError(
                    f"the analysis worker processes could not start ({exc}); set "
                    "CRITICA_ANALYSIS_PROCESSES=false to analyse on the server's threads"
                ) from None

    def close(self) -> None:
        self._executor.shutdown(wait=False, cancel_futures=True)
