"""Settings of the sandbox as a whole (per-job limits live in protocol.Limits)."""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field
from typing import Any

from sandbox.pressure import PSI_CPU
from sandbox.protocol import MIB

logger = logging.getLogger("sandbox")

# Development only. Production settings must never set it, and should refuse to start if the
# worker's environment has it (see sandbox/README.md).
ALLOW_UNSAFE_ENV = "STRIDE_SANDBOX_ALLOW_UNSAFE"
TRUTHY = ("1", "true", "yes", "on", "y", "t")


@dataclass(frozen=True)
class SandboxConfig:
    """How the client starts the fork-server.

    `uid_base`..`uid_base + uid_count` is the range of unprivileged uids handed to children, one
    per live child, so that per-uid kernel limits (RLIMIT_NPROC) are per job and two concurrent
    jobs never share an owner. `allow_unsafe` runs jobs even when a protection is missing: a
    development convenience that is logged loudly and reported in every Outcome.
    `simulate_missing` is a testing hook that makes the named protections fail to set up.
    """

    pool_size: int = 2
    tmp_bytes: int = 32 * MIB
    shm_bytes: int = 8 * MIB
    uid_base: int = 200_000
    uid_count: int = 1024
    max_children: int = 64
    allow_unsafe: bool = False
    python: str = sys.executable
    start_timeout_s: float = 120.0
    warm_up: bool = True
    simulate_missing: frozenset[str] = field(default_factory=frozenset)
    # Where the server reads CPU pressure (sandbox/pressure.py); tests point it at a file of theirs.
    cpu_pressure_path: str = PSI_CPU

    def __post_init__(self) -> None:
        object.__setattr__(self, "simulate_missing", frozenset(self.simulate_missing))
        if self.uid_base < 1000 or self.uid_count < self.max_children:
            raise ValueError("uid range must be unprivileged and cover max_children")

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["simulate_missing"] = sorted(self.simulate_missing)
        return data

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> SandboxConfig:
        return cls(**{**data, "simulate_missing": frozenset(data.get("simulate_missing", ()))})

    @classmethod
    def from_environment(cls, environ: Mapping[str, str] | None = None) -> SandboxConfig:
        environ = os.environ if environ is None else environ
        # The same spellings django-environ's env.bool accepts, so settings and sandbox agree.
        allow_unsafe = environ.get(ALLOW_UNSAFE_ENV, "").strip().lower() in TRUTHY
        if allow_unsafe:
            logger.warning(
                "%s=1: the sandbox will run student code even if a protection is missing. "
                "Development only; production must refuse this.",
                ALLOW_UNSAFE_ENV,
            )
        return cls(allow_unsafe=allow_unsafe)
