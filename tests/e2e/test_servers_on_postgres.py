"""Several real `warroom serve` processes on one PostgreSQL database: live push across them,
tokens revoked everywhere at once, a server killed mid-load, and the database lost for 10 s
mid-load (503 JSON meanwhile, then everything resumes with no event lost or doubled)."""

from __future__ import annotations

import itertools
import time
from typing import Any

from tests.api.helpers import ServerProcess, assert_log_keeps, wait_until
from tests.e2e.multiserver import (
    Load,
    Subscribers,
    all_events,
    api,
    health,
    note,
    open_escalation,
)
from warroom.server.tokens import add_token, revoke_token


def test_a_command_on_one_server_is_pushed_by_the_other(
        pg_servers: list[ServerProcess], alice: str) -> None:
    one, two = pg_servers
    subscribed = Subscribers(pg_servers, alice)
    try:
        subscribed.wait_connected()
        open_escalation(one, alice)
        lags = []
        with api(one, alice) as a, api(two, alice) as b:
            for i, client in zip(range(20), itertools.cycle([a, b]), strict=False):
                sent = time.monotonic()
                seq = note(client, f"n{i}")
                lags += [arrived - sent for arrived in subscribed.wait_pushed(seq)]
        assert max(lags) < 1.0, f"slowest push across servers took {max(lags):.3f} s"
        last = all_events(one, alice)[-1]["seq"]
        subscribed.assert_all_got(last)  # each event once, in order
        for server in (one, two):  # each server encoded each event once
            status, body = health(server)
            assert status == 200 and body["store"] == "ok" and body["last_seq"] == last
            assert body["published_seq"] == last and body["published"] == last
    finally:
        subscribed.close()


def test_a_token_revoked_through_one_server_is_refused_by_all(
        pg_url: str, pg_servers: list[ServerProcess]) -> None:
    token = add_token(pg_url, "bob")
    with api(pg_servers[0], token) as a, api(pg_servers[1], token) as b:
        assert a.get("/me").status_code == 200 and b.get("/me").status_code == 200
        revoke_token(pg_url, "bob")
        for client in (a, b):
            refused = client.get("/escalations")
            assert refused.status_code == 401 and "revoked" in refused.json()["error"]


def test_a_server_killed_mid_load_loses_no_acknowledged_command(
        pg_servers: list[ServerProcess], alice: str) -> None:
    one, two = pg_servers
    open_escalation(one, alice)
    with Load(pg_servers, alice) as load:
        load.wait_more(100, "load to build up")
        one.kill()
        load.wait_more(50, "load to go on via the other")
        load.stop()
    assert_log_keeps(all_events(two, alice), load.acked)


def test_losing_the_database_for_10_s_mid_load(
        pg_outage: Any, pg_servers: list[ServerProcess], alice: str,
        subscribers: Subscribers) -> None:
    one, two = pg_servers
    open_escalation(one, alice)
    with Load(pg_servers, alice) as load:
        load.wait_more(60, "load to build up")
        pg_outage.stop()
        lost_at = time.monotonic()
        for server in (one, two):
            status, body = health(server)
            assert status == 503 and body["store"] == "unavailable"
        assert subscribers.console is not None
        console = subscribers.console
        wait_until(lambda: "store unavailable" in console.connection().describe(), timeout=10,
                   what="the console to show 'store unavailable'")
        during = load.count()
        time.sleep(max(0.0, 10 - (time.monotonic() - lost_at)))  # the outage lasts 10 s
        assert load.count() <= during + 4  # nothing is acknowledged without the database
        pg_outage.start()
        load.wait_more(60, "load to resume")
        subscribers.wait_console_connected()
        load.stop()
    assert load.statuses()[503] > 0
    last = assert_log_keeps(all_events(one, alice), load.acked)
    subscribers.assert_all_got(last)
