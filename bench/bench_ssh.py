"""SSH gate benchmark: the real OpenSSH client against `python -m warroom.gate --ssh`.

Measures
- ssh launch to first frame: from starting `ssh` to the console's first full frame on the
  client's terminal (median of N sequential joins);
- memory per session: RSS and PSS of each console process (and the gate's own RSS);
- join storm: 20 clients started at once, time until every one has rendered.

Targets on 2 cores: first frame under 0.6 s; 20 joins all rendered within 6 s.

    uv run python bench/bench_ssh.py [--runs 7] [--storm 20] [--console CMD]

A frame counts as rendered when the escalation's title shows in the client's output (escape
sequences stripped). Needs /usr/bin/ssh and ssh-keygen.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TITLE = "Checkout latency spike"
ANSI = re.compile(rb"\x1b(\[[0-9;?<>=!]*[ -/]*[@-~]"  # CSI
                  rb"|\][^\x07\x1b]*(\x07|\x1b\\)"  # OSC
                  rb"|[PX^_][^\x1b]*\x1b\\"  # DCS and friends
                  rb"|[@-Z\\-_])")


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_port(port: int, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise SystemExit(f"gate did not listen on {port}")


class Client:
    """One `ssh` process on its own PTY, watching for the marker."""

    def __init__(self, argv: list[str], cols: int = 120, rows: int = 40) -> None:
        import fcntl
        import struct
        import termios

        master, slave = os.openpty()
        fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        self.started = time.monotonic()
        self.proc = subprocess.Popen(argv, stdin=slave, stdout=slave, stderr=slave,
                                     start_new_session=True, close_fds=True)
        os.close(slave)
        os.set_blocking(master, False)
        self.master = master
        self.buffer = bytearray()
        self.rendered_at: float | None = None

    def poll(self, marker: bytes) -> bool:
        while True:
            try:
                data = os.read(self.master, 65536)
            except BlockingIOError:
                break
            except OSError:
                data = b""
            if not data:
                break
            self.buffer.extend(data)
        if self.rendered_at is None and marker in ANSI.sub(b"", bytes(self.buffer)):
            self.rendered_at = time.monotonic()
        return self.rendered_at is not None

    def close(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
            try:
                self.proc.wait(3)
            except subprocess.TimeoutExpired:
                self.proc.kill()
        os.close(self.master)


def wait_all(clients: list[Client], marker: bytes, timeout: float) -> None:
    import select

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        pending = [c for c in clients if not c.poll(marker)]
        if not pending:
            return
        select.select([c.master for c in pending], [], [], 0.02)
    for c in clients:
        if c.rendered_at is None:
            tail = ANSI.sub(b"", bytes(c.buffer))[-400:].decode(errors="replace")
            print(f"  a client never rendered; its output ends: {tail!r}", file=sys.stderr)


def descendants(root: int) -> dict[int, str]:
    """Every process below `root`: pid -> command line."""
    out = subprocess.run(["ps", "-eo", "pid=,ppid=,args="], capture_output=True,
                         text=True).stdout
    children: dict[int, list[tuple[int, str]]] = {}
    for line in out.splitlines():
        parts = line.split(None, 2)
        if len(parts) >= 2:
            children.setdefault(int(parts[1]), []).append(
                (int(parts[0]), parts[2] if len(parts) > 2 else ""))
    found: dict[int, str] = {}
    stack = [root]
    while stack:
        for pid, args in children.get(stack.pop(), []):
            found[pid] = args
            stack.append(pid)
    return found


def _parent(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[1])
    except (OSError, ValueError, IndexError):
        return -1


def memory_kib(pid: int) -> tuple[int, int]:
    rss = pss = 0
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                rss = int(line.split()[1])
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                pss = int(line.split()[1])
    except OSError:
        pass
    return rss, pss


def seed_store(path: Path, env: dict[str, str]) -> None:
    base = [sys.executable, "-m", "warroom", "--store", str(path), "--as", "dana"]
    subprocess.run([*base, "open", TITLE, "--customer", "Acme", "--severity", "P1"],
                   check=True, env=env, capture_output=True)
    for i in range(20):
        subprocess.run([*base, "note", "ESC-1", f"note {i}: looking at the checkout graphs"],
                       check=True, env=env, capture_output=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=7)
    parser.add_argument("--storm", type=int, default=20)
    parser.add_argument("--no-prefork", action="store_true",
                        help="start every console from scratch (no zygote)")
    args = parser.parse_args()
    for tool in ("ssh", "ssh-keygen"):
        if shutil.which(tool) is None:
            print(f"bench_ssh: {tool} not found; skipped")
            return 0

    tmp = Path(tempfile.mkdtemp(prefix="warroom-bench-ssh-"))
    env = dict(os.environ, XDG_CONFIG_HOME=str(tmp / "config"), XDG_DATA_HOME=str(tmp / "data"),
               TEXTUAL_ANIMATIONS="none")
    env.pop("WARROOM_STORE", None)
    store = tmp / "warroom.db"
    seed_store(store, env)
    subprocess.run(["ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", str(tmp / "id")],
                   check=True)
    pub = (tmp / "id.pub").read_text().strip()
    (tmp / "roster").write_text(f'warroom-person="dana" {pub}\n')
    port = free_port()
    gate_argv = [sys.executable, "-m", "warroom.gate", "--store", str(store),
                 "--ssh", f"127.0.0.1:{port}", "--roster", str(tmp / "roster"),
                 "--host-key", str(tmp / "host_key"),
                 "--ssh-max-sessions", str(max(64, args.storm + 4))]
    if args.no_prefork:
        gate_argv.append("--no-prefork")
    gate = subprocess.Popen(gate_argv, env=env, stderr=subprocess.DEVNULL)
    ssh = ["ssh", "-F", "/dev/null", "-i", str(tmp / "id"), "-o", "IdentitiesOnly=yes",
           "-o", "StrictHostKeyChecking=no", "-o", f"UserKnownHostsFile={tmp / 'known'}",
           "-o", "LogLevel=ERROR", "-o", "BatchMode=yes", "-tt", "-p", str(port),
           "warroom@127.0.0.1"]
    marker = TITLE.encode()
    try:
        wait_port(port)
        print(f"bench_ssh: {os.cpu_count()} cores, gate pid {gate.pid}, port {port}")

        # 1. first frame, sequential
        times = []
        for _ in range(args.runs):
            client = Client(ssh)
            wait_all([client], marker, 20)
            if client.rendered_at is not None:
                times.append(client.rendered_at - client.started)
            client.close()
            time.sleep(0.3)  # let the console exit before the next join
        if times:
            print(f"first frame (ssh launch -> rendered): median {statistics.median(times):.3f} s"
                  f"  min {min(times):.3f}  max {max(times):.3f}  (n={len(times)}, "
                  f"target < 0.6 s)")

        # 2. join storm + memory
        clients = [Client(ssh) for _ in range(args.storm)]
        t0 = min(c.started for c in clients)
        wait_all(clients, marker, 60)
        done = [c.rendered_at - t0 for c in clients if c.rendered_at is not None]
        if done:
            print(f"join storm: {len(done)}/{args.storm} rendered; all within {max(done):.2f} s"
                  f" (first {min(done):.2f} s, median {statistics.median(done):.2f} s; "
                  f"target 20 within 6 s)")
        procs = descendants(gate.pid)
        direct = {p for p in procs if _parent(p) == gate.pid}
        zygotes = [p for p in direct if "warroom.gate.zygote" in procs[p]]
        consoles = [p for p in procs if p not in zygotes]
        mems = [m for m in (memory_kib(p) for p in consoles) if m[0]]
        if mems:
            rss = statistics.mean(m[0] for m in mems) / 1024
            pss = statistics.mean(m[1] for m in mems) / 1024
            gate_rss = memory_kib(gate.pid)[0] / 1024
            zygote_rss = sum(memory_kib(p)[0] for p in zygotes) / 1024
            zygote_note = f", zygote RSS {zygote_rss:.1f} MiB" if zygotes else ""
            print(f"memory per session: RSS {rss:.1f} MiB, PSS {pss:.1f} MiB "
                  f"({len(mems)} consoles; PSS counts shared pages once); "
                  f"gate RSS {gate_rss:.1f} MiB{zygote_note}")
        for c in clients:
            c.close()
    finally:
        gate.send_signal(signal.SIGTERM)
        try:
            gate.wait(10)
        except subprocess.TimeoutExpired:
            gate.kill()
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
