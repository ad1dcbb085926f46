"""End to end: the real OpenSSH client, in tmux, against `python -m warroom.gate --ssh`.

Fresh keys (ssh-keygen), a free local port, the real console on the other side. Skipped only
where ssh, ssh-keygen or tmux is missing (CI installs them).
"""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.gate.conftest import TITLE, need, seed_store

TIMEOUT = 20.0


class Gate:
    """`warroom serve --no-api --ssh 127.0.0.1:0` in a subprocess; its log is collected."""

    def __init__(self, root: Path, env: dict[str, str]) -> None:
        self.root = root
        argv = [sys.executable, "-m", "warroom", "--store", str(root / "warroom.db"), "serve",
                "--no-api", "--ssh", "127.0.0.1:0", "--roster", str(root / "ssh_roster"),
                "--host-key", str(root / "ssh_host_key")]
        self.proc = subprocess.Popen(argv, env=env, stderr=subprocess.PIPE, text=True)
        self.lines: list[str] = []
        self._ready = threading.Event()
        self.port = 0
        threading.Thread(target=self._read, daemon=True).start()
        if not self._ready.wait(60) or not self.port:
            self.stop()
            raise AssertionError("the gate did not start:\n" + "\n".join(self.lines))

    def _read(self) -> None:
        assert self.proc.stderr is not None
        for line in self.proc.stderr:
            self.lines.append(line.rstrip("\n"))
            found = re.search(r"listening on 127\.0\.0\.1:(\d+)", line)
            if found:
                self.port = int(found[1])
            if "roster " in line:
                self._ready.set()
        self._ready.set()

    def log(self) -> str:
        return "\n".join(self.lines)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(10)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait()


class Tmux:
    """A private tmux server; each session runs one ssh client."""

    def __init__(self, name: str) -> None:
        self.name = name

    def run(self, *args: str) -> str:
        return subprocess.run(["tmux", "-L", self.name, *args], check=True, capture_output=True,
                              text=True).stdout

    def new(self, session: str, command: str, cols: int = 120, rows: int = 36) -> None:
        self.run("new-session", "-d", "-s", session, "-x", str(cols), "-y", str(rows), command)
        self.run("set-option", "-t", session, "remain-on-exit", "on")

    def screen(self, session: str) -> str:
        return self.run("capture-pane", "-p", "-t", session)

    def keys(self, session: str, *keys: str, literal: bool = False) -> None:
        self.run("send-keys", "-t", session, *(["-l"] if literal else []), *keys)

    def show(self, session: str, fmt: str) -> str:
        return self.run("display-message", "-p", "-t", session, fmt).strip()

    def wait_for(self, session: str, text: str, timeout: float = TIMEOUT) -> float:
        """Seconds until `text` is on the session's screen (fails after `timeout`)."""
        start = time.monotonic()
        while True:
            screen = self.screen(session)
            if text in screen:
                return time.monotonic() - start
            if time.monotonic() - start > timeout:
                raise AssertionError(f"{text!r} not on screen of {session}:\n{screen}")
            time.sleep(0.02)

    def kill(self) -> None:
        subprocess.run(["tmux", "-L", self.name, "kill-server"], capture_output=True)


class Rig:
    """Keys, roster, store, gate and tmux for one module."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self.env = dict(os.environ, XDG_CONFIG_HOME=str(root / "config"),
                        XDG_DATA_HOME=str(root / "data"), TEXTUAL_ANIMATIONS="none")
        for name in ("WARROOM_STORE", "WARROOM_USER", "TMUX", "TMUX_PANE"):
            self.env.pop(name, None)
        for name in ("dana", "sam", "bo", "stranger"):
            subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-C", name,
                            "-f", str(root / name)], check=True)
        def pub(name: str) -> str:
            return (root / f"{name}.pub").read_text().strip()
        (root / "ssh_roster").write_text(
            f'warroom-person="dana" {pub("dana")}\n'
            f'environment="WARROOM_USER=sam" {pub("sam")}\n'
            f'warroom-person="bo",warroom-readonly {pub("bo")}\n')
        seed_store(root / "warroom.db")
        self.gate = Gate(root, self.env)
        host_pub = (root / "ssh_host_key.pub").read_text().split()[:2]
        (root / "known_hosts").write_text(f"[127.0.0.1]:{self.gate.port} {' '.join(host_pub)}\n")
        self.tmux = Tmux(f"warroom-test-{os.getpid()}")

    def ssh(self, key: str, user: str = "warroom", *extra: str) -> list[str]:
        """An ssh command line that uses only `key` and checks the kept host key."""
        return ["ssh", "-F", "/dev/null", "-i", str(self.root / key), "-o", "IdentitiesOnly=yes",
                "-o", "IdentityAgent=none", "-o", "BatchMode=yes",
                "-o", "StrictHostKeyChecking=yes",
                "-o", f"UserKnownHostsFile={self.root / 'known_hosts'}",
                "-o", "LogLevel=ERROR", "-p", str(self.gate.port), *extra, f"{user}@127.0.0.1"]

    def join(self, session: str, key: str = "dana", cols: int = 120, rows: int = 36) -> None:
        command = " ".join(self.ssh(key))
        self.tmux.new(session, f"{command}; echo SSH-EXIT=$?; sleep 600", cols, rows)

    def close(self) -> None:
        self.tmux.kill()
        self.gate.stop()


@pytest.fixture(scope="module")
def rig(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Rig]:
    need("ssh", "ssh-keygen", "tmux")
    r = Rig(tmp_path_factory.mktemp("ssh-e2e"))
    yield r
    r.close()


def test_start_prints_the_kept_host_key_fingerprint(rig: Rig) -> None:
    listed = subprocess.run(["ssh-keygen", "-lf", str(rig.root / "ssh_host_key.pub")],
                            check=True, capture_output=True, text=True).stdout.split()[1]
    assert f"host key {listed}" in rig.gate.log()
    assert "3 keys for 3 people" in rig.gate.log()


def test_two_people_join_and_a_note_reaches_the_other_within_a_second(rig: Rig) -> None:
    rig.join("a", "dana")
    rig.join("b", "sam")
    for session in ("a", "b"):
        rig.tmux.wait_for(session, TITLE)
        rig.tmux.wait_for(session, "Timeline")
        rig.tmux.wait_for(session, "graphs show p99 at 4 s")  # the seeded note, on the timeline
    rig.tmux.keys("a", "n")
    rig.tmux.wait_for("a", "Note on ESC-1")
    rig.tmux.keys("a", "café from ssh ✓", literal=True)  # UTF-8 through ssh and the PTY
    rig.tmux.wait_for("a", "café from ssh ✓")
    rig.tmux.keys("a", "C-s")
    seen_after = rig.tmux.wait_for("b", "café from ssh ✓", timeout=5)
    assert seen_after < 1.0, f"the other console showed the note after {seen_after:.2f} s"
    line = next(ln for ln in rig.tmux.screen("b").splitlines() if "café from ssh" in ln)
    assert "dana" in line  # posted as the key's person, not the server's user
    assert "dana joined" in rig.gate.log() and "sam joined" in rig.gate.log()


def test_the_console_follows_window_size_changes(rig: Rig) -> None:
    rig.join("r", "dana", 120, 36)
    rig.tmux.wait_for("r", TITLE)

    def drawn_width() -> set[int]:
        return {len(ln.rstrip()) for ln in rig.tmux.screen("r").splitlines()
                if ln.rstrip().endswith(("╮", "╯"))}

    assert 120 in drawn_width()
    for cols, rows in ((90, 28), (140, 44)):
        rig.tmux.run("resize-window", "-t", "r", "-x", str(cols), "-y", str(rows))
        deadline = time.monotonic() + TIMEOUT
        while max(drawn_width(), default=0) != cols:
            assert time.monotonic() < deadline, rig.tmux.screen("r")
            time.sleep(0.02)
        rig.tmux.wait_for("r", TITLE)
    assert rig.tmux.show("r", "#{pane_dead}") == "0"


def test_ctrl_c_is_a_key_for_the_console(rig: Rig) -> None:
    rig.join("c", "dana")
    rig.tmux.wait_for("c", TITLE)
    rig.tmux.keys("c", "C-c")
    rig.tmux.wait_for("c", "ctrl+q")  # Textual's "press ctrl+q to quit": the key reached it
    assert rig.tmux.show("c", "#{pane_dead}") == "0"
    assert TITLE in rig.tmux.screen("c")


def test_a_read_only_key_gets_the_wallboard(rig: Rig) -> None:
    rig.join("w", "bo")
    rig.tmux.wait_for("w", "read-only")
    rig.tmux.wait_for("w", TITLE)
    assert "bo joined from 127.0.0.1" in rig.gate.log() and "(read-only)" in rig.gate.log()


def test_a_dead_console_leaves_a_clean_terminal(rig: Rig) -> None:
    rig.join("k0", "sam")  # a bystander
    rig.tmux.wait_for("k0", TITLE)
    before = _console_pids(rig.gate.proc.pid)
    rig.join("k", "dana")
    rig.tmux.wait_for("k", TITLE)
    assert rig.tmux.show("k", "#{alternate_on}") == "1"
    (victim,) = _console_pids(rig.gate.proc.pid) - before
    os.kill(victim, signal.SIGKILL)
    rig.tmux.wait_for("k", "the console stopped unexpectedly (exit status 137)")
    rig.tmux.wait_for("k", "SSH-EXIT=137")
    assert rig.tmux.show("k", "#{alternate_on} #{cursor_flag} #{mouse_any_flag}") == "0 1 0"
    assert rig.tmux.show("k0", "#{alternate_on} #{pane_dead}") == "1 0"  # untouched


def _console_pids(gate_pid: int) -> set[int]:
    """Every process below the gate except its prefork zygote."""
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,comm="], capture_output=True, text=True).stdout
    rows = [line.split() for line in out.splitlines() if len(line.split()) == 3]
    below: set[int] = set()
    frontier = {gate_pid}
    while frontier:
        children = {int(pid) for pid, ppid, _ in rows if int(ppid) in frontier}
        below |= children
        frontier = children
    return {int(pid) for pid, _, comm in rows if int(pid) in below and comm != "warroom-zygote"}


def test_refused_wrong_key_other_user_and_exec(rig: Rig) -> None:
    def ssh(*argv: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(list(argv), capture_output=True, text=True, timeout=TIMEOUT,
                              stdin=subprocess.DEVNULL)

    wrong = ssh(*rig.ssh("stranger"), "-tt")
    assert wrong.returncode == 255 and "Permission denied (publickey)" in wrong.stderr
    root = ssh(*rig.ssh("dana", "root"), "-tt")
    assert root.returncode == 255 and "Permission denied (publickey)" in root.stderr
    password = ssh(*rig.ssh("dana", "warroom", "-o", "PreferredAuthentications=password"))
    assert password.returncode == 255 and "Permission denied" in password.stderr
    exec_ = ssh(*rig.ssh("dana"), "echo", "pwned")
    assert exec_.returncode != 0 and "pwned" not in exec_.stdout
    sftp = ssh(*rig.ssh("dana", "warroom", "-s"), "sftp")
    assert sftp.returncode != 0
    forward = ssh(*rig.ssh("dana", "warroom", "-N", "-o", "ExitOnForwardFailure=yes",
                           "-R", "0:127.0.0.1:9"))
    assert forward.returncode != 0 and "forwarding failed" in forward.stderr
    log = rig.gate.log()
    assert "refused user 'root'" in log
    assert "refused exec request from dana: 'echo pwned'" in log
    assert "refused subsystem 'sftp'" in log


def test_a_roster_key_joins_while_another_address_holds_64_bare_connections(rig: Rig) -> None:
    bare: list[socket.socket] = []
    try:
        for _ in range(64):
            sock = socket.socket()
            sock.bind(("127.0.0.2", 0))
            sock.connect(("127.0.0.1", rig.gate.port))
            bare.append(sock)
        for sock in bare:  # every one gets the banner, refused or not
            sock.settimeout(10)
            assert sock.recv(64).startswith(b"SSH-2.0-warroom")
        joined_before = rig.gate.log().count("dana joined from 127.0.0.1")
        start = time.monotonic()
        rig.join("storm", "dana")
        while rig.gate.log().count("dana joined from 127.0.0.1") == joined_before:
            assert time.monotonic() - start < 5, rig.gate.log()
            time.sleep(0.02)
        rig.tmux.wait_for("storm", TITLE)
        refusals = [ln for ln in rig.gate.lines if "refused 127.0.0.2:" in ln]
        assert refusals and all("too many connections from one address" in ln
                                for ln in refusals)
    finally:
        for sock in bare:
            sock.close()
