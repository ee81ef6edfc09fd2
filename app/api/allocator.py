"""glibc's allocator, told to give memory back (imported by ``app.api.admission``).

By default glibc raises its mmap threshold each time a big block is freed (up to 32 MB),
so after one large surface or trajectory every later array of a few MB comes from the
heap, whose freed pages stay in the process; and each thread that allocates may get an
arena of its own. A long-running server then grows by fragments. Here big blocks
(``MMAP_THRESHOLD`` and up: a request's arrays and response bodies) are always mapped
on their own and unmapped when freed, arenas are at most ``ARENA_MAX``, and
``trim_memory`` hands the heaps' free pages back after heavy requests. No-ops elsewhere.
"""

from __future__ import annotations

import ctypes

M_MMAP_THRESHOLD, M_ARENA_MAX = -3, -8
MMAP_THRESHOLD = 1 << 20  # blocks of at least 1 MiB: mapped, and unmapped when freed
ARENA_MAX = 4  # heaps shared by all threads (the compute threads are one per core)

try:
    _libc = ctypes.CDLL("libc.so.6")
    _libc.malloc_trim  # noqa: B018 (glibc only)
except (OSError, AttributeError):
    _libc = None


def configure() -> None:
    if _libc is not None:
        _libc.mallopt(M_MMAP_THRESHOLD, MMAP_THRESHOLD)
        _libc.mallopt(M_ARENA_MAX, ARENA_MAX)


def trim_memory() -> None:
    """Give the heaps' free pages back to the system (glibc keeps them otherwise)."""
    if _libc is not None:
        _libc.malloc_trim(0)


configure()
