"""soptui's writers on one SQLite file take turns on a file lock next to it (`<store>-writers`).

SQLite lets a waiting writer sleep and try again; with several writers the lock was often free while they all slept.
An exclusive `flock` queues them in the kernel instead, which wakes the next one as soon as the lock is let go. The
wait is bounded: a writer that has not had its turn in `seconds` goes on without it (SQLite's own lock still
keeps the store consistent, and a store held by another program is still reported as busy). Where the lock file
cannot be opened (a read-only folder, no `fcntl`), writers simply go on without a turn.
"""

from __future__ import annotations

import os
import queue
import threading

try:
    import fcntl
except ImportError:  # pragma: no cover - not on POSIX
    fcntl = None


class Turn:
    """One writer's turn; `release()` lets the next one go (idempotent)."""

    def __init__(self, fd: int):
        self._fd = fd
        self._guard = threading.Lock()

    def release(self) -> None:
        with self._guard:
            fd, self._fd = self._fd, -1
        if fd >= 0:
            try:
                fcntl.flock(fd, fcntl.LOCK_UN)
            finally:
                os.close(fd)


def writers_turn(store_path: str, seconds: float) -> Turn | None:
    """Wait at most `seconds` for this writer's turn on the store at `store_path`; None: go on without one."""
    if fcntl is None or not store_path or store_path.startswith(":memory:") or store_path.startswith("file:"):
        return None
    old_umask = os.umask(0o077)
    try:
        fd = os.open(f"{store_path}-writers", os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
    except OSError:
        return None
    finally:
        os.umask(old_umask)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        return Turn(fd)
    except BlockingIOError:
        pass
    except OSError:
        os.close(fd)
        return None
    # Someone else writes now: wait in the kernel's queue on the process's helper thread, so the wait can end at
    # `seconds` (a blocked flock cannot be interrupted from another thread).
    request = _Request(fd)
    _waiter().put(request)
    request.got.wait(seconds)
    with request.guard:
        if request.got.is_set():
            return Turn(fd)
        request.abandoned = True  # the helper lets the turn go as soon as it comes
    return None


class _Request:
    __slots__ = ("fd", "got", "guard", "abandoned")

    def __init__(self, fd: int):
        self.fd = fd
        self.got = threading.Event()
        self.guard = threading.Lock()
        self.abandoned = False


# One helper thread per process waits for the turns its writers ask for, one after another (they would queue on
# the same lock anyway). A thread started for each wait cost more than the transaction's own statements under
# 8 writers (a thread's start and end: clone, stack mapping, signal masks), and a later wait behind an abandoned
# one simply waits its own bounded time. Started on first need, again in a forked child.
_WAITER: list = [None, None]  # (pid, queue)
_WAITER_LOCK = threading.Lock()


def _waiter() -> queue.SimpleQueue:
    with _WAITER_LOCK:
        if _WAITER[0] != os.getpid():
            requests: queue.SimpleQueue = queue.SimpleQueue()
            threading.Thread(target=_serve, args=(requests,), name="soptui-writers-turn", daemon=True).start()
            _WAITER[:] = [os.getpid(), requests]
        return _WAITER[1]


def _serve(requests: queue.SimpleQueue) -> None:
    while True:
        request = requests.get()
        try:
            fcntl.flock(request.fd, fcntl.LOCK_EX)
        except OSError:
            with request.guard:
                request.abandoned = True  # the writer goes on without a turn (after its bounded wait)
            os.close(request.fd)
            continue
        with request.guard:
            if not request.abandoned:
                request.got.set()
                continue
        fcntl.flock(request.fd, fcntl.LOCK_UN)  # the writer gave up waiting: pass the turn straight on
        os.close(request.fd)
