"""Runs untrusted PyTorch snippets in kernel-enforced isolation, behind a warm fork-server.

    from sandbox import SandboxClient, Job, InputSpec
    outcome = SandboxClient().run(Job(code=source, inputs=(InputSpec((1, 3, 32, 32)),)))

Imports neither Django nor any other Stride package. See sandbox/README.md.
"""

from sandbox.client import SandboxClient, SandboxUnavailable, shared_client
from sandbox.config import ALLOW_UNSAFE_ENV, SandboxConfig
from sandbox.protocol import (
    ErrorInfo,
    InputResult,
    InputSpec,
    Job,
    LayerTrace,
    Limits,
    Outcome,
    Status,
)

__all__ = [
    "ALLOW_UNSAFE_ENV",
    "ErrorInfo",
    "InputResult",
    "InputSpec",
    "Job",
    "LayerTrace",
    "Limits",
    "Outcome",
    "SandboxClient",
    "SandboxConfig",
    "SandboxUnavailable",
    "Status",
    "shared_client",
]
