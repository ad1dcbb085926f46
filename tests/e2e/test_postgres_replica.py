"""Reports read from a hot standby: the read-only verbs work on a streaming replica's URL as
they are, and a command given the replica is refused in one line (exit 4), nothing written."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import psycopg
import pytest

from tests.api.helpers import wait_until
from tests.e2e.test_postgres import warroom


@pytest.fixture
def replica(pg_cluster: Any) -> Iterator[Any]:
    standby = pg_cluster.replica().start()
    yield standby
    standby.remove()


def last_seq(url: str) -> int:
    """The store's last seq; -1 while the schema itself has not reached this server yet."""
    with psycopg.connect(url, autocommit=True) as conn:
        try:
            row = conn.execute("SELECT last_seq FROM warroom_counter").fetchone()
        except psycopg.errors.UndefinedTable:
            return -1
    return int(row[0]) if row else 0


def test_reports_read_from_a_hot_standby(pg_url: str, replica: Any) -> None:
    assert warroom("--store", pg_url, "open", "--customer", "Acme", "Checkout down") \
        .returncode == 0
    assert warroom("--store", pg_url, "note", "ESC-1", "looking").returncode == 0
    standby = replica.url(pg_url.rsplit("/", 1)[1])
    wait_until(lambda: last_seq(standby) == last_seq(pg_url), timeout=15,
               what="the standby to replay the primary's appends")

    listed = warroom("--store", standby, "list")
    assert listed.returncode == 0 and "ESC-1" in listed.stdout, listed.stderr
    status = warroom("--store", standby, "status", "ESC-1")
    assert status.returncode == 0 and "Checkout down" in status.stdout, status.stderr
    trends = warroom("--store", standby, "report", "trends")
    assert trends.returncode == 0 and "Escalation trends" in trends.stdout, trends.stderr

    refused = warroom("--store", standby, "note", "ESC-1", "on the standby")
    assert refused.returncode == 4
    assert len(refused.stderr.splitlines()) == 1 and "read-only" in refused.stderr
    assert last_seq(standby) == last_seq(pg_url) == 2
