"""A CLI verb on PostgreSQL is a one-shot process: it opens one plain connection and never
imports the connection pool (importing psycopg is the bulk of its extra start-up cost)."""

from __future__ import annotations

import os
import subprocess
import sys
import textwrap

PROBE = textwrap.dedent("""
    import atexit
    import sys

    atexit.register(lambda: print("POOL", "psycopg_pool" in sys.modules, flush=True))
    from warroom.cli import main
    main(sys.argv[1:])
""")


def probe(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PROBE, *args], capture_output=True, text=True,
                          timeout=60, env={**os.environ, "WARROOM_USER": "alice"})


def test_cli_verbs_on_postgresql_open_no_pool(pg_url: str) -> None:
    opened = probe("--store", pg_url, "open", "--customer", "Acme", "Checkout down")
    assert opened.returncode == 0, opened.stderr
    assert opened.stdout.split() == ["ESC-1", "POOL", "False"]
    noted = probe("--store", pg_url, "note", "ESC-1", "looking")
    assert noted.returncode == 0 and noted.stdout.splitlines()[-1] == "POOL False", noted
    listed = probe("--store", pg_url, "list")
    assert listed.returncode == 0 and "ESC-1" in listed.stdout, listed.stderr
    assert listed.stdout.splitlines()[-1] == "POOL False"
