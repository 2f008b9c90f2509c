"""Preparing the server's memory before it forks: warm caches, compact page tables.

Every child starts as a copy of the server, so whatever the server has already done (imports,
oneDNN primitive creation, lazy initialisation in torch) no child pays for again; and the fewer
page-table entries the server has, the cheaper each fork and each child's exit.
"""

from __future__ import annotations

import ctypes
import gc
import logging
import random

import numpy
import torch

from sandbox.runner import Runner

logger = logging.getLogger("sandbox")

MADV_COLLAPSE = 25
HUGE_PAGE = 2 * 1024 * 1024
WARM_UP_CODE = """
import torch
from torch import nn
model = nn.Sequential(
    nn.Conv2d(3, 16, 3, padding=1), nn.BatchNorm2d(16), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(16, 8, 3, stride=2), nn.AdaptiveAvgPool2d(1), nn.Flatten(), nn.Linear(8, 4),
)
"""

# Run by every pool child inside its jail before it says it is ready (see child.py).
REHEARSAL_JOB = {
    "code": """
from torch import nn
model = nn.Sequential(
    nn.Conv2d(3, 4, 3), nn.BatchNorm2d(4), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(36, 2),
)
""",
    "filename": "rehearsal.py",
    "entry": "model",
    "device": "cpu",
    "inputs": [{"shape": [1, 3, 8, 8], "dtype": "float32", "values": None}],
}

_libc = ctypes.CDLL(None, use_errno=True)
_libc.madvise.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int]


def warm_up() -> None:
    """Run the runner on trusted code, on cpu and meta, so that children start warm.

    Threads are pinned to one first: no parallel region ever runs here, so no OpenMP pool
    exists to be broken by fork (and torch.set_num_threads, which clears oneDNN's primitive
    cache, never needs to run again in a child).
    """
    torch.set_num_threads(1)
    torch.set_num_interop_threads(1)
    job = {
        "code": WARM_UP_CODE,
        "filename": "warm_up.py",
        "entry": "model",
        "device": "cpu",
        "inputs": [
            {"shape": [8, 3, 64, 64], "dtype": "float32", "values": None},
            {"shape": [2, 3, 16, 16], "dtype": "float32", "values": None},
        ],
    }
    Runner(job, 1 << 30).run()
    Runner({**job, "device": "meta"}, 1 << 30).run()
    # Every child reseeds; the first seeding of a process is the slow one (numpy builds its
    # global RandomState, torch imports its device modules): 8 ms, paid here once.
    random.seed(0)
    numpy.random.seed(0)
    torch.manual_seed(0)


def _anonymous_regions() -> list[tuple[int, int]]:
    regions = []
    with open("/proc/self/maps", encoding="ascii") as maps:
        for line in maps:
            fields = line.split()
            anonymous = len(fields) == 5 or (len(fields) == 6 and fields[5] == "[heap]")
            if anonymous and fields[1].startswith("rw"):
                start, end = (int(value, 16) for value in fields[0].split("-"))
                regions.append((start, end))
    return regions


def collapse_into_huge_pages() -> int:
    """Back the server's anonymous memory with transparent huge pages (Linux >= 6.1).

    fork() then copies one PMD per 2 MiB instead of 512 PTEs, and a child's exit tears down
    as much less: about 5 ms of kernel time per job on the benchmark machine. Children still
    copy-on-write 4 KiB at a time. Best effort: returns the bytes collapsed, 0 if unsupported.
    MADV_HUGEPAGE is deliberately not set, so khugepaged does not grow the server later.
    """
    collapsed = 0
    for start, end in _anonymous_regions():
        aligned_start = (start + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1)
        aligned_end = end & ~(HUGE_PAGE - 1)
        if aligned_end > aligned_start:
            size = aligned_end - aligned_start
            if _libc.madvise(aligned_start, size, MADV_COLLAPSE) == 0:
                collapsed += size
    logger.info("collapsed %d MiB of the server into huge pages", collapsed >> 20)
    return collapsed


def prepare_for_fork(*, run_warm_up: bool) -> None:
    if run_warm_up:
        warm_up()
    # Objects alive now are never collected: keeping the GC off them means children do not
    # copy the server's pages just to update GC bookkeeping.
    gc.collect()
    gc.freeze()
    collapse_into_huge_pages()
