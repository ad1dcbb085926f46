"""The SSH gate at the protocol level (asyncssh client), with a stand-in console on the PTY.

The stand-in (`echo_console.py`) reports what reaches its terminal byte by byte, so these tests
see exactly what the gate does with identity, bytes, sizes, signals, caps and failures.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import stat
from pathlib import Path

import asyncssh
import pytest

from tests.e2e.gate.conftest import Gates, Reader, connect, echo_command, eventually, roster_line
from warroom.gate.console import console_command, session_env
from warroom.gate.hostkey import load_or_create_host_key
from warroom.gate.session import RESET


async def open_console(conn: asyncssh.SSHClientConnection, cols: int = 80, rows: int = 24,
                       **options: object) -> tuple[asyncssh.SSHClientProcess[bytes], Reader]:
    proc = await conn.create_process(term_type="xterm-256color", term_size=(cols, rows),
                                     encoding=None, **options)
    return proc, Reader(proc.stdout)


async def test_join_identity_env_and_terminal(gates: Gates, client_key: asyncssh.SSHKey) -> None:
    gate = await gates.start(roster_line(client_key))
    async with await connect(gate, client_key) as conn:
        proc, out = await open_console(conn, 100, 30)
        ready = await out.until(rb"READY pid=(\d+) size=(\S+) ctty=(\w+) leader=(\w+) "
                                rb"argv=(\[.*?\]) env=(\{.*?\})\r\n")
        assert ready[2] == b"100x30"
        assert ready[3] == b"yes" and ready[4] == b"True"  # controlling terminal, own session
        assert json.loads(ready[5]) == ["dana", "rw"]
        env = json.loads(ready[6])
        assert env == {"TERM": "xterm-256color", "WARROOM_USER": "dana",
                       "WARROOM_REMOTE_SESSION": "1", "WARROOM_READONLY": None,
                       "SSH_AUTH_SOCK": None, "DISPLAY": None}
        assert gate.stats.sessions == 1
        proc.stdin.write(b"x")
        await proc.wait_closed()
        assert proc.exit_status == 7
    assert any("dana joined from 127.0.0.1" in line for line in gates.log)


async def test_bytes_pass_untouched(gates: Gates, client_key: asyncssh.SSHKey) -> None:
    """Ctrl-C is a key, not a signal; a UTF-8 character split across two writes arrives whole."""
    gate = await gates.start(roster_line(client_key))
    async with await connect(gate, client_key) as conn:
        proc, out = await open_console(conn)
        await out.until(b"READY")
        proc.stdin.write(b"\x03")
        await out.until(b"got 03\r\n")
        proc.stdin.write(b"\xc3")  # first byte of "é"
        await out.until(b"got c3\r\n")
        proc.stdin.write(b"\xa9")  # ... and its second, in another packet
        await out.until(b"got a9\r\n")
        proc.stdin.write("ü€".encode())
        await out.until(b"got c3\r\ngot bc\r\ngot e2\r\ngot 82\r\ngot ac\r\n")
        proc.stdin.write(b"x")  # still alive after Ctrl-C: it answers and exits as asked
        await proc.wait_closed()
        assert proc.exit_status == 7


async def test_window_size_changes_reach_the_console(gates: Gates,
                                                     client_key: asyncssh.SSHKey) -> None:
    gate = await gates.start(roster_line(client_key))
    async with await connect(gate, client_key) as conn:
        proc, out = await open_console(conn, 80, 24)
        await out.until(b"size=80x24")
        proc.change_terminal_size(132, 43)
        await out.until(b"winch 132x43")
        proc.change_terminal_size(60, 20)
        await out.until(b"winch 60x20")
        proc.stdin.write(b"x")
        await proc.wait_closed()


async def test_dead_console_resets_the_terminal(gates: Gates,
                                                client_key: asyncssh.SSHKey) -> None:
    gate = await gates.start(roster_line(client_key))
    async with await connect(gate, client_key) as conn:
        proc, out = await open_console(conn)
        await out.until(b"READY")
        proc.stdin.write(b"d")  # the stand-in enters the alternate screen and dies
        data = await out.rest()
        await proc.wait_closed()
    assert proc.exit_status == 9
    tail = data[data.index(b"\x1b[?1049h"):]
    assert RESET in tail
    assert b"\x1b[?1049l" in tail and b"\x1b[?25h" in tail and b"\x1b[0m" in tail
    assert b"the console stopped unexpectedly (exit status 9)" in tail
    assert gate.stats.sessions == 0


async def test_refusals(gates: Gates, client_key: asyncssh.SSHKey) -> None:
    """Unknown keys, other user names, passwords, exec, subsystems, forwarding, X11, no pty."""
    gate = await gates.start(roster_line(client_key))
    stranger = asyncssh.generate_private_key("ssh-ed25519")
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(gate, stranger)
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(gate, client_key, username="root")
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(gate, None, password="hunter2",
                      preferred_auth="password,keyboard-interactive")
    async with await connect(gate, client_key) as conn:
        with pytest.raises(asyncssh.ChannelOpenError):  # exec request refused
            await conn.create_process("echo hi", encoding=None)
        with pytest.raises(asyncssh.ChannelOpenError):  # subsystem (sftp) refused
            await conn.start_sftp_client()
        with pytest.raises(asyncssh.ChannelOpenError):  # direct-tcpip (ssh -L) refused
            await conn.open_connection("127.0.0.1", gate.port)
        with pytest.raises(asyncssh.ChannelListenError):  # tcpip-forward (ssh -R) refused
            await conn.start_server(lambda *a: None, "127.0.0.1", 0)
        with pytest.raises(asyncssh.ChannelOpenError, match="X11"):
            await conn.create_process(term_type="xterm", x11_forwarding=True,
                                      x11_display="127.0.0.1:0", encoding=None)
        proc = await conn.create_process(encoding=None)  # a shell without a terminal
        err = await Reader(proc.stderr).rest()
        await proc.wait_closed()
        assert b"a terminal is needed" in err and proc.exit_status == 1
    refused = gate.stats.refused
    for reason in ("key", "user", "exec", "subsystem", "forwarding", "no pty"):
        assert refused.get(reason, 0) >= 1, reason
    log = "\n".join(gates.log)
    assert "refused user 'root'" in log and "refused exec request from dana" in log
    assert stranger.get_fingerprint("sha256") in log
    assert client_key.get_fingerprint("sha256") not in log  # the right key under "root"


async def test_roster_is_reread_for_every_connection(gates: Gates,
                                                     client_key: asyncssh.SSHKey) -> None:
    gate = await gates.start("# nobody yet\n")
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(gate, client_key)
    gates.roster.write_text(roster_line(client_key, 'warroom-person="sam",warroom-readonly'))
    async with await connect(gate, client_key) as conn:
        proc, out = await open_console(conn)
        ready = await out.until(rb"argv=(\[.*?\]) env=(\{.*?\})")
        assert json.loads(ready[1]) == ["sam", "ro"]
        assert json.loads(ready[2])["WARROOM_READONLY"] == "1"
        proc.stdin.write(b"x")
        await proc.wait_closed()
    gates.roster.write_text("")
    with pytest.raises(asyncssh.PermissionDenied):
        await connect(gate, client_key)


async def test_session_caps(gates: Gates, client_key: asyncssh.SSHKey) -> None:
    gate = await gates.start(roster_line(client_key), max_sessions=2,
                             max_sessions_per_connection=1)
    async with await connect(gate, client_key) as c1, await connect(gate, client_key) as c2:
        p1, o1 = await open_console(c1)
        with pytest.raises(asyncssh.ChannelOpenError, match="too many sessions"):
            await open_console(c1)  # a second session on the same connection
        p2, o2 = await open_console(c2)
        await o1.until(b"READY")
        await o2.until(b"READY")
        async with await connect(gate, client_key) as c3:
            with pytest.raises(asyncssh.ChannelOpenError, match="full"):
                await open_console(c3)  # a third session anywhere
            p1.stdin.write(b"x")
            await p1.wait_closed()
            await eventually(lambda: gate.stats.sessions == 1, what="a slot to free up")
            p3, o3 = await open_console(c3)  # and now there is room again
            await o3.until(b"READY")
            p3.stdin.write(b"x")
            await p3.wait_closed()
        p2.stdin.write(b"x")
        await p2.wait_closed()
    assert gate.stats.refused["per-connection cap"] == 1
    assert gate.stats.refused["session cap"] == 1


async def test_consoles_start_a_few_at_a_time(gates: Gates, client_key: asyncssh.SSHKey) -> None:
    """A console holds its start slot until it first draws; the next one waits for the slot."""
    gate = await gates.start(roster_line(client_key), max_starting=1,
                             command=echo_command("--wait"))
    async with await connect(gate, client_key) as conn:
        p1, o1 = await open_console(conn)
        await eventually(lambda: gate.stats.started_total == 1, what="the first console")
        p2, o2 = await open_console(conn)
        p2.stdin.write(b"b")  # typed while queued: kept and delivered once started
        assert gate.stats.started_total == 1  # the second waits: the first has not drawn yet
        p1.stdin.write(b"a")  # the first console draws...
        await o1.until(b"READY")
        await o2.until(b"got 62\r\nREADY")  # ...so the second starts, with its early key
        assert gate.stats.peak_starting == 1
        for p in (p1, p2):
            p.stdin.write(b"x")
            await p.wait_closed()


async def test_keepalives_end_dead_sessions(gates: Gates, client_key: asyncssh.SSHKey) -> None:
    """A client that stops answering (network gone) is dropped and its console hung up."""
    gate = await gates.start(roster_line(client_key), keepalive_interval=0.2,
                             keepalive_count_max=2)
    frozen = asyncio.Event()

    async def pipe(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        with_data = True
        while with_data:
            data = await reader.read(65536)
            with_data = bool(data)
            if frozen.is_set():
                continue  # black hole: the bytes never arrive
            writer.write(data)
            await writer.drain()

    writers: list[asyncio.StreamWriter] = []
    tasks: list[asyncio.Task[None]] = []

    async def proxy(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        tasks.append(asyncio.current_task())  # type: ignore[arg-type]
        up_reader, up_writer = await asyncio.open_connection("127.0.0.1", gate.port)
        writers.extend((writer, up_writer))
        with contextlib.suppress(asyncio.CancelledError):  # ended by the test, not an error
            await asyncio.gather(pipe(reader, up_writer), pipe(up_reader, writer),
                                 return_exceptions=True)

    server = await asyncio.start_server(proxy, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    conn = await asyncssh.connect("127.0.0.1", port, username="warroom",
                                  client_keys=[client_key], known_hosts=None, agent_path=None,
                                  config=None)
    _proc, out = await open_console(conn)
    ready = await out.until(rb"READY pid=(\d+)")
    pid = int(ready[1])
    frozen.set()
    await eventually(lambda: gate.stats.sessions == 0, timeout=10, what="the gate to drop it")
    await eventually(lambda: not Path(f"/proc/{pid}").exists()
                     or "Z" in Path(f"/proc/{pid}/stat").read_text().split()[2],
                     timeout=10, what="the console to be hung up")
    conn.abort()
    for task in tasks:
        task.cancel()
    await asyncio.gather(*tasks, return_exceptions=True)
    for writer in writers:
        writer.close()
    server.close()
    await server.wait_closed()


async def test_host_key_is_created_once_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "keys" / "ssh_host_key"
    key, created = load_or_create_host_key(path)
    assert created and stat.S_IMODE(path.stat().st_mode) == 0o600
    again, created_again = load_or_create_host_key(path)
    assert not created_again
    assert again.get_fingerprint() == key.get_fingerprint()


async def test_banner_names_the_fingerprint(gates: Gates, client_key: asyncssh.SSHKey) -> None:
    gate = await gates.start(roster_line(client_key) + "junk line\n")
    gates.roster.chmod(0o666)
    banner = "\n".join(gate.banner("127.0.0.1"))
    assert "writable by others" in banner
    assert gate.fingerprint in banner and gate.fingerprint.startswith("SHA256:")
    assert f"ssh -p {gate.port} warroom@127.0.0.1" in banner
    assert "1 key for 1 person, 1 problem" in banner and "line 2: not a public key" in banner


def test_console_command_and_env() -> None:
    build = console_command("/srv/warroom.db", "/etc/warroom.toml")
    argv = build("dana", False)
    assert argv[1:] == ["-m", "warroom", "--store", "/srv/warroom.db", "--as", "dana",
                        "--config", "/etc/warroom.toml", "console"]
    assert build("bo", True)[-1] == "wall"
    env = session_env("dana", True, "tmux-256color", {"COLORTERM": "truecolor", "EVIL": "1"},
                      base={"PATH": "/usr/bin", "DISPLAY": ":0", "SSH_AUTH_SOCK": "/tmp/a",
                            "WARROOM_USER": "root", "TEXTUAL_SCREENSHOT": "1"})
    assert env == {"PATH": "/usr/bin", "TERM": "tmux-256color", "WARROOM_USER": "dana",
                   "WARROOM_REMOTE_SESSION": "1", "WARROOM_READONLY": "1", "BROWSER": "true",
                   "LANG": "C.UTF-8", "COLORTERM": "truecolor"}


async def test_unauthenticated_connections_are_capped(gates: Gates,
                                                      client_key: asyncssh.SSHKey) -> None:
    gate = await gates.start(roster_line(client_key), max_unauthenticated=1, login_timeout=30)
    reader, writer = await asyncio.open_connection("127.0.0.1", gate.port)  # never logs in
    await reader.readline()  # the server's version line: it has accepted this connection
    await eventually(lambda: gate.stats.connections == 1, what="the idle connection")
    refused_reader, refused_writer = await asyncio.open_connection("127.0.0.1", gate.port)
    assert await refused_reader.readline() == b"SSH-2.0-warroom\r\n"  # the banner, then no
    assert b"too many connections" in await refused_reader.read()
    refused_writer.close()
    with pytest.raises((asyncssh.DisconnectError, ConnectionError)):  # dropped at once
        await connect(gate, client_key)
    writer.close()
    await eventually(lambda: gate.stats.connections == 0, what="the idle connection to go")
    async with await connect(gate, client_key):
        pass
    assert gate.stats.refused["too many connections"] == 2
    assert any(line.startswith("refused 127.0.0.1:") and "too many connections" in line
               for line in gates.log)


async def test_bare_connections_are_capped_per_address_and_time_out(
        gates: Gates, client_key: asyncssh.SSHKey) -> None:
    gate = await gates.start(roster_line(client_key), max_unauthenticated_per_address=2,
                             login_timeout=1)
    bare = [await asyncio.open_connection("127.0.0.1", gate.port, local_addr=("127.0.0.2", 0))
            for _ in range(3)]
    for reader, _ in bare:
        assert await reader.readline() == b"SSH-2.0-warroom\r\n"
    assert b"too many connections from one address" in await bare[2][0].read()
    async with await connect(gate, client_key):  # another address still gets in
        pass
    await eventually(lambda: gate.stats.refused.get("login grace") == 2, timeout=5,
                     what="the login grace to end the idle connections")
    for _, writer in bare:
        writer.close()
    assert any(line.startswith("refused 127.0.0.2:") and "from one address" in line
               and "2 from 127.0.0.2" in line for line in gates.log)
    assert sum("no login within 1 s" in line for line in gates.log) == 2


def test_url_stores_are_refused() -> None:
    from warroom.gate.ssh import run_ssh_gate

    with pytest.raises(ValueError, match="store file"):
        asyncio.run(run_ssh_gate("127.0.0.1", 0, "http://example.invalid:8765"))
