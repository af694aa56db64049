"""Run one function in a forked child with a memory limit and a timeout.

Reading a hostile file can take minutes and gigabytes (a zip bomb that slipped past the archive
checks, a PDF built to make the parser loop). In a child process, that costs the child only: the
limit turns runaway allocation into a MemoryError, the timeout kills a child that does not finish,
and the caller gets IsolationFailed with the reason — the worker itself, and the jobs behind it,
carry on. The child is forked (no re-import, no pickling of the input), so this is cheap: a few ms.
"""

from __future__ import annotations

import multiprocessing
import os
import resource
import signal
from collections.abc import Callable
from typing import TypeVar

T = TypeVar("T")
_PAGE = os.sysconf("SC_PAGE_SIZE")


class IsolationFailed(Exception):
    """The child ran out of memory, out of time, or died. `reason`: memory | timeout | crashed."""

    def __init__(self, reason: str, detail: str = ""):
        super().__init__(f"{reason}: {detail}" if detail else reason)
        self.reason = reason


def _address_space() -> int:
    with open("/proc/self/statm") as statm:
        return int(statm.read().split()[0]) * _PAGE


def _child(connection, fn, args, memory_bytes: int) -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)  # a worker's warm-shutdown handler is not ours
    try:
        # What the forked process already maps (shared with the parent) plus the allowance.
        limit = _address_space() + memory_bytes
        resource.setrlimit(resource.RLIMIT_AS, (limit, limit))
        connection.send(("ok", fn(*args)))
    except MemoryError:
        connection.send(("memory", ""))
    except BaseException as error:  # noqa: BLE001 - everything goes back to the parent as a value
        connection.send(("error", (type(error).__module__, type(error).__qualname__, str(error)[:2000])))
    finally:
        connection.close()


def run_isolated(
    fn: Callable[..., T], *args, memory_mb: int, timeout: float, errors: tuple[type[Exception], ...] = ()
) -> T:
    """fn(*args) in a forked child. Returns its (picklable) result.

    An exception of one of the `errors` types raised in the child is raised again here (by type
    name, with its message); any other is IsolationFailed("crashed"). Out of memory:
    IsolationFailed("memory"); past `timeout` seconds: the child is killed, IsolationFailed("timeout").
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_child, args=(sender, fn, args, memory_mb * 1024 * 1024), daemon=True)
    process.start()
    sender.close()
    try:
        if not receiver.poll(timeout):
            raise IsolationFailed("timeout", f"no answer within {timeout:g} s")
        try:
            kind, value = receiver.recv()
        except (EOFError, OSError) as error:
            raise IsolationFailed("crashed", f"the reader died ({process.exitcode})") from error
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)
    if kind == "ok":
        return value
    if kind == "memory":
        raise IsolationFailed("memory", f"over {memory_mb} MB")
    module, name, message = value
    for error_type in errors:
        if error_type.__module__ == module and error_type.__qualname__ == name:
            raise error_type(message)
    raise IsolationFailed("crashed", f"{name}: {message}")
