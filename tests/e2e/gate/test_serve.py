"""The wiring for `warroom serve --ssh/--web`: options, and the gates beside the HTTP API."""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.e2e.gate.conftest import seed_store
from warroom.gate.serve import add_gate_arguments, parse_hostport

SCRIPT = r"""
import sys
from warroom.config import load_config
from warroom.gate.serve import gate_coroutines, add_gate_arguments, run_services
from warroom.server.run import build_app, make_server
import argparse

parser = argparse.ArgumentParser()
add_gate_arguments(parser)
args = parser.parse_args(sys.argv[2:])
store = sys.argv[1]
api = make_server(build_app(store, load_config().policy), "127.0.0.1", 0)
sys.exit(run_services(gate_coroutines(args, store), api=api))
"""


def test_parse_hostport() -> None:
    assert parse_hostport("0.0.0.0:2222") == ("0.0.0.0", 2222)
    assert parse_hostport(":2222") == ("127.0.0.1", 2222)
    assert parse_hostport("2222") == ("127.0.0.1", 2222)
    assert parse_hostport("[::1]:22") == ("::1", 22)
    for bad in ("host:", "host:99999", "x"):
        with pytest.raises(ValueError):
            parse_hostport(bad)


def test_gate_options() -> None:
    parser = argparse.ArgumentParser()
    add_gate_arguments(parser)
    args = parser.parse_args(["--ssh", ":2222", "--web", "0.0.0.0:8080", "--web-token", "t",
                              "--roster", "r", "--host-key", "k"])
    assert args.ssh == ("127.0.0.1", 2222) and args.web == ("0.0.0.0", 8080)
    assert (args.ssh_user, args.ssh_max_sessions, args.web_max_sessions) == ("warroom", 64, 16)
    assert not args.no_prefork
    defaults = parser.parse_args([])
    assert defaults.ssh is None and defaults.web is None


def _port_open(port: int) -> bool:
    with socket.socket() as s:
        return s.connect_ex(("127.0.0.1", port)) == 0


def test_gates_run_beside_the_api_and_stop_with_it(tmp_path: Path) -> None:
    store = tmp_path / "warroom.db"
    seed_store(store)
    (tmp_path / "roster").write_text("")
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp_path / "c"), XDG_DATA_HOME=str(tmp_path / "d"))
    proc = subprocess.Popen(
        [sys.executable, "-c", SCRIPT, str(store), "--ssh", "127.0.0.1:0", "--roster",
         str(tmp_path / "roster"), "--host-key", str(tmp_path / "hk"), "--web", "127.0.0.1:0",
         "--web-token", "tok"], env=env, stderr=subprocess.PIPE, text=True)
    assert proc.stderr is not None
    lines: list[str] = []
    ssh_port = web_port = 0
    deadline = time.monotonic() + 60
    while not (ssh_port and web_port) and time.monotonic() < deadline:
        line = proc.stderr.readline()
        if not line:
            break
        lines.append(line)
        if found := re.search(r"ssh: listening on 127\.0\.0\.1:(\d+)", line):
            ssh_port = int(found[1])
        if found := re.search(r"wallboard on http://127\.0\.0\.1:(\d+)/\?token=tok", line):
            web_port = int(found[1])
    assert ssh_port and web_port, "".join(lines)
    assert _port_open(ssh_port) and _port_open(web_port)
    proc.send_signal(signal.SIGINT)  # uvicorn takes Ctrl-C; the gates stop with it
    try:
        assert proc.wait(30) == 0, proc.stderr.read()
    finally:
        if proc.poll() is None:
            proc.kill()
    assert not _port_open(ssh_port) and not _port_open(web_port)
    assert (tmp_path / "d" / "warroom" / "web_token").exists() is False  # token given: none kept
