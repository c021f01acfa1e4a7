"""soptui's writers on one SQLite file take turns on a file lock next to it (`<store>-writers`).

SQLite lets a waiting writer sleep and try again; with several writers the lock was often free while they all slept.
An exclusive `flock` queues them in the kernel instead, which wakes the next one as soon as the lock is let go. The
wait is bounded: a writer that has not had its turn in `seconds` goes on without it (SQLite's own lock still
keeps the store consistent, and a store held by another program is still reported as busy). Where the lock file
cannot be opened (a read-only folder, no `fcntl`), writers simply go on without a turn.
"""

from __future__ import annotations

import os
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
    # Someone else writes now: wait in the kernel's queue on a helper thread, so the wait can end at `seconds`.
    got = threading.Event()
    state = {"abandoned": False}
    guard = threading.Lock()

    def wait() -> None:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
        except OSError:
            with guard:
                state["abandoned"] = True
            os.close(fd)
            return
        with guard:
            if not state["abandoned"]:
                got.set()
                return
        fcntl.flock(fd, fcntl.LOCK_UN)  # the writer gave up waiting: pass the turn straight on
        os.close(fd)

    threading.Thread(target=wait, name="soptui-writers-turn", daemon=True).start()
    got.wait(seconds)
    with guard:
        if got.is_set():
            return Turn(fd)
        state["abandoned"] = True
    return None
