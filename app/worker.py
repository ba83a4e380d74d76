"""Slow work off the request threads: PDFs render in a separate process.

One worker process does the rendering, so a big label sheet uses one core
and the request threads keep the other. The queue is bounded: when it is
full the request gets a clear "busy, try again" instead of waiting forever.
"""

from __future__ import annotations

import multiprocessing
import os
import threading
import time
from concurrent.futures import Future, ProcessPoolExecutor

from .errors import Busy

QUEUE = 3  # renders running or waiting, at most
TIMEOUT_SECONDS = 120

_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_slots = threading.BoundedSemaphore(QUEUE)


class Unavailable(Busy):
    """PDFs cannot be made on this server: a library WeasyPrint needs is missing.
    A Busy (errors.Busy, HTTP 503), so every page that renders already says it
    rather than failing."""


# cffi's words when WeasyPrint cannot open Pango (or another library it needs).
_MISSING_LIBRARY = "cannot load library"
MISSING_LIBRARY_MESSAGE = (
    "PDFs cannot be made on this server yet: it needs Pango and a font. Ask whoever "
    "runs it to install libpango-1.0-0, libpangoft2-1.0-0 and fonts-dejavu-core."
)


def _watch_parent(parent: int) -> None:
    """In the worker: end with the server. A server stopped by a signal (SIGTERM
    from a service manager, kill -9) runs no clean-up, and the worker would
    otherwise live on as an orphan, holding memory, for as long as the machine."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1)
        os._exit(0)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _executor() -> ProcessPoolExecutor:
    global _pool
    with _lock:
        if _pool is None:
            # spawn, not fork: forking a threaded server copies locks mid-use.
            _pool = ProcessPoolExecutor(
                max_workers=1,
                mp_context=multiprocessing.get_context("spawn"),
                initializer=_watch_parent,
                initargs=(os.getpid(),),
            )
        return _pool


def run(fn, *args, **kwargs):
    """Run `fn(*args, **kwargs)` in the worker process and wait for its result."""
    if not _slots.acquire(blocking=False):
        # Say nothing of what waits: labels, audit reports and calibration pages share it.
        raise Busy("The server is busy making other PDFs. Try again in a minute.")
    try:
        future: Future = _executor().submit(fn, *args, **kwargs)
        try:
            return future.result(timeout=TIMEOUT_SECONDS)
        except OSError as exc:
            if _MISSING_LIBRARY in str(exc):
                raise Unavailable(MISSING_LIBRARY_MESSAGE) from exc
            raise
    finally:
        _slots.release()


def shutdown() -> None:
    global _pool
    with _lock:
        if _pool is not None:
            _pool.shutdown(wait=True, cancel_futures=True)
            _pool = None
