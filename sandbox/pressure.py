"""Whether the host has CPU to spare: the kernel's pressure stall information (PSI) for CPU.

A pool child's rehearsal (child._rehearse) spends ~7 ms of CPU so that its job runs ~5 ms
sooner: a good trade while a core would otherwise idle, a bad one when tasks already queue for
the CPU, where it only makes everything else wait longer (on the 2-core benchmark host it was
2.7 ms of CPU per job more than it saved). The server asks this before forking each child.
"""

from __future__ import annotations

import time

PSI_CPU = "/proc/pressure/cpu"
# Share of wall time in which at least one runnable task waited for a CPU. Measured on the
# 2-core benchmark host: ~20% with the grading pipeline at half load, 55-60% with one client
# sending sandbox jobs back to back, 80-95% with the pipeline saturated.
BUSY_STALL_SHARE = 0.75
WINDOW_S = 0.5
# However busy the host, one child in this many seconds still rehearses: the rehearsal is
# also the proof that torch works under every protection (fail closed, child._rehearse).
PROOF_EVERY_S = 5.0


def _stall_total_us(path: str) -> int | None:
    """Microseconds some task has waited for a CPU since boot; None without PSI."""
    try:
        with open(path, encoding="ascii") as handle:
            for line in handle:
                if line.startswith("some "):
                    return int(line.rsplit("total=", 1)[1])
    except (OSError, ValueError, IndexError):
        return None
    return None


class CpuPressure:
    """Samples PSI at most once per WINDOW_S; without PSI the host always has CPU to spare."""

    def __init__(self, path: str = PSI_CPU) -> None:
        self._path = path
        self._since = time.monotonic()
        self._total = _stall_total_us(path)
        self._is_busy = False
        self._last_proof = float("-inf")

    def is_busy(self) -> bool:
        now = time.monotonic()
        if self._total is not None and now - self._since >= WINDOW_S:
            total = _stall_total_us(self._path)
            share = 0.0 if total is None else (total - self._total) / 1e6 / (now - self._since)
            self._is_busy = share >= BUSY_STALL_SHARE
            self._since, self._total = now, total
        return self._is_busy

    def should_rehearse(self) -> bool:
        now = time.monotonic()
        if not self.is_busy() or now - self._last_proof >= PROOF_EVERY_S:
            self._last_proof = now
            return True
        return False
