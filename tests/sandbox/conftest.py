"""Shared sandbox fixtures: one warm fork-server for the whole session, and one that refuses.

The sandbox imports no Django; these tests need no database.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from sandbox import SandboxClient, SandboxConfig


@pytest.fixture(scope="session")
def sandbox_client() -> Iterator[SandboxClient]:
    client = SandboxClient(SandboxConfig())
    yield client
    client.close()


@pytest.fixture(scope="session")
def client_without_seccomp() -> Iterator[SandboxClient]:
    """A sandbox whose seccomp step fails (testing hook): it must refuse every job."""
    client = SandboxClient(SandboxConfig(simulate_missing=frozenset({"seccomp"}), warm_up=False))
    yield client
    client.close()
