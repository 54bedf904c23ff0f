"""What the load test reads of processes from ``/proc`` (RSS, CPU seconds, niceness of a process
tree), and how it starts its clients at a raised niceness they cannot lower."""

from __future__ import annotations

import os
import threading
import time


# --------------------------------------------------------------------------------------------
# Server memory
# --------------------------------------------------------------------------------------------
def _stat(pid: int) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (field 3 onwards)."""
    with open(f"/proc/{pid}/stat") as f:
        return f.read().rsplit(")", 1)[1].split()


def tree(pid: int) -> list[int]:
    """``pid`` and all its live descendants."""
    children: dict[int, list[int]] = {}
    for d in os.listdir("/proc"):
        if d.isdigit():
            try:
                children.setdefault(int(_stat(int(d))[1]), []).append(int(d))
            except (OSError, IndexError, ValueError):
                continue
    out, todo = [], [pid]
    while todo:
        p = todo.pop()
        out.append(p)
        todo += children.get(p, [])
    return out


def tree_rss(pid: int) -> int:
    """VmRSS of ``pid`` and all its descendants, in bytes (0 once it is gone)."""
    total = 0
    for p in tree(pid):
        try:
            with open(f"/proc/{p}/status") as f:
                total += next(int(line.split()[1]) * 1024 for line in f if line.startswith("VmRSS:"))
        except (OSError, StopIteration):
            pass
    return total


def _thread_counts(pids, field: int, name=lambda v: v) -> dict:
    """``name(value)`` -> how many threads of the processes ``pids`` have that value in field
    ``field`` of their /proc stat (counted after the command name; on Linux both the niceness and
    the scheduling policy are per thread)."""
    out: dict = {}
    for p in pids:
        try:
            tids = os.listdir(f"/proc/{p}/task")
        except OSError:
            continue
        for t in tids:
            try:
                with open(f"/proc/{p}/task/{t}/stat") as f:
                    v = int(f.read().rsplit(")", 1)[1].split()[field])
            except (OSError, IndexError, ValueError):
                continue
            key = name(v)
            out[key] = out.get(key, 0) + 1
    return out


def thread_nices(pids) -> dict[int, int]:
    """Niceness -> how many threads of the processes ``pids`` have it."""
    return _thread_counts(pids, 16)


POLICIES = {0: "SCHED_OTHER", 3: "SCHED_BATCH", 5: "SCHED_IDLE"}


def thread_policies(pids) -> dict[str, int]:
    """Scheduling policy -> how many threads of the processes ``pids`` have it."""
    return _thread_counts(pids, 38, lambda v: POLICIES.get(v, f"policy {v}"))


def tree_cpu(pid: int, skip: tuple[int, ...] = ()) -> float:
    """CPU seconds (user + system) used so far by ``pid``'s live tree, less the trees in ``skip``."""
    left = set(tree(pid)) - {q for s in skip for q in tree(s)}
    total = 0
    for p in left:
        try:
            f = _stat(p)
            total += int(f[11]) + int(f[12])  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return total / os.sysconf("SC_CLK_TCK")


class RssSampler(threading.Thread):
    """Samples ``tree_rss(pid)`` every ``every`` seconds into ``out`` until ``stop`` is set."""

    def __init__(self, pid: int, out: list, every: float = 0.5):
        super().__init__(daemon=True)
        self.pid, self.out, self.every, self.t0 = pid, out, every, time.perf_counter()
        self.stop = threading.Event()

    def run(self) -> None:
        while not self.stop.is_set():
            self.out.append((time.perf_counter() - self.t0, tree_rss(self.pid)))
            self.stop.wait(self.every)




def _drop_sys_nice() -> None:
    """Drop CAP_SYS_NICE from this thread's capability bounding set, so the programs it starts
    cannot lower their niceness. Run as root, Chromium sets the niceness of its threads itself (0,
    and -8 for display threads), undoing an inherited one; without the capability it can only raise
    it. Without CAP_SETPCAP (not root) this fails, harmlessly: there is no CAP_SYS_NICE to drop."""
    import ctypes

    pr_capbset_drop, cap_sys_nice = 24, 23  # <linux/prctl.h>, <linux/capability.h>
    try:
        ctypes.CDLL(None, use_errno=True).prctl(pr_capbset_drop, cap_sys_nice, 0, 0, 0)
    except (OSError, AttributeError):
        pass


def _niced(nice: int, fn, idle: bool = False):
    """``fn()`` in a thread of its own whose niceness is raised by ``nice`` first (and, with
    ``idle``, whose policy is SCHED_IDLE: it runs only on CPU time no other thread wants), so the
    processes it starts (the Playwright driver, then Chromium) inherit it, and may not undo it (see
    :func:`_drop_sys_nice`); the caller's thread keeps its niceness, policy and capabilities (on
    Linux all three are per thread)."""
    if not nice and not idle:
        return fn()
    box: dict = {}

    def target() -> None:
        try:
            if nice:
                os.nice(nice)
            if idle:
                os.sched_setscheduler(0, os.SCHED_IDLE, os.sched_param(0))
            _drop_sys_nice()
            box["value"] = fn()
        except BaseException as exc:  # noqa: BLE001 - re-raised in the caller's thread
            box["error"] = exc

    t = threading.Thread(target=target, name="load-test-clients")
    t.start()
    t.join()
    if "error" in box:
        raise box["error"]
    return box["value"]
