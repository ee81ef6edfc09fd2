"""What a server process uses, read from /proc (Linux): CPU time, RSS and its peak.

The peak (VmHWM) can be reset by writing 5 to /proc/PID/clear_refs, so the peak RSS of
one request is measured as VmHWM after it minus VmRSS before it, with nothing else running.
"""

from __future__ import annotations

import os
import time
from pathlib import Path

TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    """User + system CPU time of the process, all threads (resolution: one clock tick)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / TICK


def _status_mb(pid: int, key: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1]) / 1024
    raise KeyError(key)


def rss_mb(pid: int) -> float:
    return _status_mb(pid, "VmRSS")


def peak_mb(pid: int) -> float:
    return _status_mb(pid, "VmHWM")


def reset_peak(pid: int) -> None:
    """Start VmHWM again from the current RSS."""
    Path(f"/proc/{pid}/clear_refs").write_text("5")


def wait_until_idle(pid: int, seconds: float = 60, quiet_cpu: float = 0.02) -> None:
    """Wait until the process spends under ``quiet_cpu`` CPU-s in half a second."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        before = cpu_seconds(pid)
        time.sleep(0.5)
        if cpu_seconds(pid) - before < quiet_cpu:
            return
    raise RuntimeError("the server never went idle")
