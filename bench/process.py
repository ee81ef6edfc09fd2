"""What a server uses, read from /proc (Linux): CPU time, RSS and its peak, of the server
process and its children (the worker processes of heavy requests, app/api/processes.py).

The peak (VmHWM) can be reset by writing 5 to /proc/PID/clear_refs, so the peak RSS of
one request is measured as VmHWM after it minus VmRSS before it, with nothing else running.
Over several processes, ``peak_mb`` is the sum of each one's peak (an upper bound: they
need not peak at once) and ``SampledPeak`` the peak of their sum, sampled every ms.
"""

from __future__ import annotations

import contextlib
import os
import threading
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def tree(pid: int) -> list[int]:
    """``pid`` and its descendants alive now."""
    found, i = [pid], 0
    while i < len(found):
        path = Path(f"/proc/{found[i]}/task/{found[i]}/children")
        with contextlib.suppress(OSError):
            found += [int(c) for c in path.read_text().split()]
        i += 1
    return found


def workers(pid: int) -> list[int]:
    """The server's worker processes of heavy requests (not multiprocessing's resource
    tracker)."""
    found = []
    for p in tree(pid)[1:]:
        with contextlib.suppress(OSError):
            if b"spawn_main" in Path(f"/proc/{p}/cmdline").read_bytes():
                found.append(p)
    return found


def _own_cpu(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:  # gone meanwhile
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process and its children, all threads (resolution:
    one clock tick)."""
    return sum(_own_cpu(p) for p in tree(pid))


def _one_status_mb(pid: int, key: str) -> float:
    try:
        lines = Path(f"/proc/{pid}/status").read_text().splitlines()
    except OSError:
        return 0.0
    for line in lines:
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def _status_mb(pid: int, key: str) -> float:
    return sum(_one_status_mb(p, key) for p in tree(pid))


def rss_mb(pid: int) -> float:
    return _status_mb(pid, "VmRSS")


def peak_mb(pid: int) -> float:
    return _status_mb(pid, "VmHWM")


class SampledPeak:
    """The largest sum of the RSS of ``pid`` and its children seen while inside, read every
    ``every`` seconds from a thread (a peak shorter than that can be missed; the sum of
    the processes' own peaks, ``peak_mb``, bounds it from above)."""

    def __init__(self, pid: int, every: float = 0.001) -> None:
        self.pid, self.every, self.mb = pid, every, 0.0
        self._done = threading.Event()

    def _sample(self) -> None:
        while not self._done.is_set():
            self.mb = max(self.mb, rss_mb(self.pid))
            time.sleep(self.every)

    def __enter__(self) -> SampledPeak:
        self.mb = rss_mb(self.pid)
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self._done.set()
        self._thread.join()


def reset_peak(pid: int) -> None:
    """Start VmHWM again from the current RSS, in every process of the server."""
    for p in tree(pid):
        with contextlib.suppress(OSError):
            Path(f"/proc/{p}/clear_refs").write_text("5")


def wait_until_idle(pid: int, seconds: float = 60, quiet_cpu: float = 0.02) -> None:
    """Wait until the process spends under ``quiet_cpu`` CPU-s in half a second."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - before < quiet_cpu:
            return
    raise RuntimeError("the server never went idle")
