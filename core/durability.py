"""Commits that need not wait for the disk, for writes that can be derived again."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager

from django.db import DatabaseError, connection


@contextmanager
def commits_not_awaited() -> Iterator[None]:
    """PostgreSQL commits inside this block return before their WAL reaches the disk.

    A synchronous commit waits for an fsync (~3.5 ms on the benchmark machine), and the process
    does nothing else meanwhile. Use it only for writes that a PostgreSQL crash (never a clean
    shutdown) may take back without losing anyone's work. The database stays consistent either
    way: at worst the last fraction of a second of such commits is undone.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SET synchronous_commit TO off")
    try:
        yield
    finally:
        # The connection outlives this block (CONN_MAX_AGE): put it back for the next user. One
        # that broke meanwhile is closed before reuse, and a new one starts with the default.
        if connection.connection is not None:
            with contextlib.suppress(DatabaseError), connection.cursor() as cursor:
                cursor.execute("RESET synchronous_commit")
