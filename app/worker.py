"""Slow work off the request threads: PDFs render in a separate process.

One worker process does the rendering, so a big label sheet uses one core
and the request threads keep the other. The queue is bounded: when it is
full the request gets a clear "busy, try again" instead of waiting forever.

The worker is disposable. A job that runs past its time limit, or grows past
the worker's memory limit, gets the worker killed; a worker that died (killed,
crashed) is noticed by the job that was running. Either way that job answers
Busy (503) and the next job starts a fresh worker: no restart needed. Jobs
take turns, and a turn never lasts longer than the time limit (plus the
start-up time of a fresh worker), so no job waits behind a stuck one for more.
"""

from __future__ import annotations

import multiprocessing
import os
import pickle
import resource
import threading
import time
import traceback
from multiprocessing.connection import Connection

from .errors import Busy

QUEUE = 3  # renders running or waiting, at most
TIMEOUT_SECONDS = 120.0  # one job's time in the worker, at most; then the worker is killed
STARTUP_SECONDS = 60.0  # to start a worker and import a job's modules, at most
MEMORY_LIMIT_BYTES = 1024**3  # the worker's address space (RLIMIT_AS), read when it starts

_lock = threading.Lock()  # guards _worker
_turn = threading.Lock()  # one job in the worker at a time
_worker: _Worker | None = None
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
BUSY_MESSAGE = "The server is busy making other PDFs. Try again in a minute."
TOO_LONG_MESSAGE = (
    "This PDF took too long to make and was stopped. Nothing was saved. Try a smaller "
    "selection, or check the label format's sizes."
)
TOO_BIG_MESSAGE = (
    "This PDF needed more memory than the server allows and was stopped. Nothing was "
    "saved. Try a smaller selection, or check the label format's sizes."
)
DIED_MESSAGE = "The PDF maker stopped unexpectedly. Nothing was saved. Try again."
NOT_STARTED_MESSAGE = "The PDF maker did not start in time. Nothing was saved. Try again."


# In the worker process ----------------------------------------------------------------


def _watch_parent(parent: int) -> None:
    """End with the server. A server stopped by a signal (SIGTERM from a service
    manager, kill -9) runs no clean-up, and the worker would otherwise live on as
    an orphan, holding memory, for as long as the machine."""

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(0)

    threading.Thread(target=watch, name="watch-parent", daemon=True).start()


def _limit_memory(limit: int) -> None:
    """Cap the worker's address space, so a runaway render fails with MemoryError
    here instead of taking the machine's memory from the server and everything else."""
    _, hard = resource.getrlimit(resource.RLIMIT_AS)
    if hard != resource.RLIM_INFINITY:
        limit = min(limit, hard)
    resource.setrlimit(resource.RLIMIT_AS, (limit, hard))


def _serve(conn: Connection, parent: int, memory_limit: int) -> None:
    """The worker's loop. For each job it says ("started",) once the job is unpickled
    (its modules imported), then answers ("ok", result) or ("error", exception,
    traceback); after a MemoryError it answers ("memory",) and ends, since what ran
    out of memory may have left anything half done."""
    _watch_parent(parent)
    _limit_memory(memory_limit)
    while True:
        try:
            job = conn.recv()
        except (EOFError, OSError):
            os._exit(0)
        except Exception as exc:  # a job this process cannot unpickle
            _answer(conn, ("error", exc, traceback.format_exc()))
            continue
        if job is None:
            os._exit(0)
        fn, args, kwargs = job
        conn.send(("started",))
        try:
            answer: tuple = ("ok", fn(*args, **kwargs))
        except MemoryError:
            answer = ("memory",)
        except BaseException as exc:  # noqa: BLE001 - every failure goes back to the caller
            answer = ("error", exc, traceback.format_exc())
        if _answer(conn, answer) == "memory":
            os._exit(0)


def _answer(conn: Connection, answer: tuple) -> str:
    """Send `answer`, or what stands for it if it cannot go; returns the kind sent."""
    try:
        if answer[0] == "error":
            # An exception that pickles but cannot be rebuilt would fail in the server.
            pickle.loads(pickle.dumps(answer[1]))
        conn.send(answer)
        return answer[0]
    except MemoryError:
        conn.send(("memory",))
        return "memory"
    except Exception as exc:  # an answer that cannot be pickled
        text = f"{answer[2] if answer[0] == 'error' else ''}{traceback.format_exc()}"
        conn.send(("error", RuntimeError(f"The PDF worker could not send {exc!r}"), text))
        return "error"


# In the server ---------------------------------------------------------------------


class _Worker:
    """One spawned worker process and the server's end of its pipe."""

    def __init__(self) -> None:
        # spawn, not fork: forking a threaded server copies locks mid-use.
        context = multiprocessing.get_context("spawn")
        self.conn, theirs = context.Pipe()
        self.process = context.Process(
            target=_serve,
            args=(theirs, os.getpid(), MEMORY_LIMIT_BYTES),
            name="tagtrail-pdf",
            daemon=True,
        )
        self.process.start()
        theirs.close()

    @property
    def pid(self) -> int | None:
        return self.process.pid

    def kill(self) -> None:
        """Kill it now (a stuck job ignores anything gentler) and reap it."""
        if self.process.is_alive():
            self.process.kill()
        self.process.join(5)
        self.conn.close()

    def stop(self) -> None:
        """Ask it to end after its job; kill it if it does not."""
        try:
            self.conn.send(None)
        except (OSError, ValueError):
            pass
        self.process.join(5)
        self.kill()


def _current() -> _Worker:
    """The live worker, started if there is none or the last one died."""
    global _worker
    with _lock:
        if _worker is not None and not _worker.process.is_alive():
            _worker.kill()
            _worker = None
        if _worker is None:
            _worker = _Worker()
        return _worker


def _discard(worker: _Worker) -> None:
    """Kill this worker and forget it; the next job starts a fresh one."""
    global _worker
    with _lock:
        if _worker is worker:
            _worker = None
    worker.kill()


def _receive(worker: _Worker, seconds: float, message: str) -> tuple:
    """The worker's next message; Busy(message) and a killed worker if none comes in time."""
    if not worker.conn.poll(seconds):
        _discard(worker)
        raise Busy(message)
    return worker.conn.recv()


def _call(fn, args, kwargs):
    # A worker that died since the last job (killed, out of memory) is found dead
    # here, perhaps only when the job is sent to it: the job has not started, so it
    # goes to a fresh worker. Once started, the job is not run twice.
    for attempt in range(2):
        worker = _current()
        try:
            worker.conn.send((fn, args, kwargs))
            # Starting a worker and importing the job's modules is not the job's time.
            answer = _receive(worker, STARTUP_SECONDS, NOT_STARTED_MESSAGE)
        except (EOFError, OSError) as exc:
            _discard(worker)
            if attempt:
                raise Busy(DIED_MESSAGE) from exc
            continue
        break
    try:
        if answer[0] == "started":
            answer = _receive(worker, TIMEOUT_SECONDS, TOO_LONG_MESSAGE)
    except (EOFError, OSError) as exc:  # the worker died, or was killed by shutdown()
        _discard(worker)
        raise Busy(DIED_MESSAGE) from exc
    if answer[0] == "ok":
        return answer[1]
    if answer[0] == "memory":
        _discard(worker)
        raise Busy(TOO_BIG_MESSAGE)
    _, raised, remote = answer
    raised.add_note(f"In the PDF worker:\n{remote}")
    raise raised


def run(fn, *args, **kwargs):
    """Run `fn(*args, **kwargs)` in the worker process and wait for its result.
    Raises Busy when the queue is full, or when the job ran too long, needed too
    much memory or lost its worker; any other exception comes back as raised."""
    if not _slots.acquire(blocking=False):
        # Say nothing of what waits: labels, audit reports and calibration pages share it.
        raise Busy(BUSY_MESSAGE)
    try:
        # Every turn ends within TIMEOUT_SECONDS, so this wait is bounded too.
        with _turn:
            try:
                return _call(fn, args, kwargs)
            except OSError as exc:
                if _MISSING_LIBRARY in str(exc):
                    raise Unavailable(MISSING_LIBRARY_MESSAGE) from exc
                raise
    finally:
        _slots.release()


def pid() -> int | None:
    """The worker's process id, if one is running (for tests and diagnostics)."""
    with _lock:
        return _worker.pid if _worker is not None else None


def shutdown() -> None:
    """Stop the worker: after its job, or killed if that takes more than a few seconds."""
    global _worker
    with _lock:
        worker, _worker = _worker, None
    if worker is not None:
        worker.stop()
