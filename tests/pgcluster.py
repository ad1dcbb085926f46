"""A throwaway PostgreSQL cluster for tests and benches: initdb + pg_ctl on a free port.

PostgreSQL refuses to run as root, so as root (CI) the binaries run as the `postgres` user via
`runuser`, in a folder that user owns; otherwise as the current user. The cluster listens on
127.0.0.1 only, with a private socket directory under /tmp, and trusts local connections.
"""

from __future__ import annotations

import glob
import os
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path

import psycopg


def bin_dir() -> Path | None:
    """Where initdb and pg_ctl live (newest installed version), or None."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"),
                   key=lambda p: int(Path(p).parts[-3]) if Path(p).parts[-3].isdigit() else 0)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def missing_reason() -> str | None:
    """Why a cluster cannot be made here, or None when it can."""
    where = bin_dir()
    if where is None or not (where / "pg_ctl").exists():
        return "PostgreSQL server binaries (initdb, pg_ctl) are not installed"
    if os.geteuid() == 0 and shutil.which("runuser") is None:
        return "running as root without runuser to start PostgreSQL as the postgres user"
    return None


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Cluster:
    """One PostgreSQL server in a temporary folder.

    Args:
        fsync: keep PostgreSQL's durability (benchmarks); tests turn it off for speed, which
            is safe here because they stop the server cleanly or kill only our own processes.
        primary: make a hot standby of this cluster instead of an empty cluster.
    """

    def __init__(self, *, fsync: bool = False, primary: Cluster | None = None) -> None:
        reason = missing_reason()
        if reason:
            raise RuntimeError(reason)
        self.bin = bin_dir()
        assert self.bin is not None
        self.root = Path(tempfile.mkdtemp(prefix="warroom-pg-"))
        self.data = self.root / "data"
        self.sockets = self.root / "sock"
        self.log = self.root / "server.log"
        self.port = _free_port()
        self.fsync = fsync
        self._as_root = os.geteuid() == 0
        self.sockets.mkdir()
        if self._as_root:
            shutil.chown(self.root, "postgres", "postgres")
            shutil.chown(self.sockets, "postgres", "postgres")
        if primary is None:
            self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust",
                      "--encoding=UTF8", "--locale=C", "--no-sync")
        else:  # a hot standby streaming from `primary` (-R writes the standby settings)
            self._run("pg_basebackup", "-h", "127.0.0.1", "-p", str(primary.port), "-U",
                      "postgres", "-D", str(self.data), "-R", "-X", "stream", "--no-sync")

    def _run(self, tool: str, *args: str, check: bool = True) -> subprocess.CompletedProcess[str]:
        command = [str(self.bin / tool), *args]  # type: ignore[operator]
        if self._as_root:
            command = ["runuser", "-u", "postgres", "--", *command]
        return subprocess.run(command, capture_output=True, text=True, check=check, timeout=120,
                              cwd="/tmp")

    def replica(self) -> Cluster:
        """A new hot standby of this cluster (read-only, streaming); call `start()`."""
        return Cluster(fsync=self.fsync, primary=self)

    def url(self, database: str = "postgres") -> str:
        """A connection URL for one database of this cluster."""
        return f"postgresql://postgres@127.0.0.1:{self.port}/{database}"

    def _options(self) -> str:
        return (f"-c listen_addresses=127.0.0.1 -p {self.port} "
                f"-c unix_socket_directories={self.sockets} -c max_connections=300 "
                f"-c fsync={'on' if self.fsync else 'off'} "
                f"-c synchronous_commit={'on' if self.fsync else 'off'} "
                "-c full_page_writes=off -c shared_buffers=128MB")

    def start(self) -> Cluster:
        """Start the server and wait until it accepts connections."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", self._options(),
                  "-w", "-t", "60", "start")
        return self

    def restart(self) -> None:
        """`pg_ctl restart -m fast`: every client connection is killed, committed work kept;
        returns once the new server accepts connections."""
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", self._options(),
                  "-m", "fast", "-w", "-t", "60", "restart")

    def running(self) -> bool:
        """True while the server runs."""
        return self._run("pg_ctl", "-D", str(self.data), "status", check=False).returncode == 0

    def stop(self, mode: str = "fast") -> None:
        """Stop the server (`fast`: clients are disconnected, committed work kept)."""
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop", check=False)

    def create_database(self, name: str) -> str:
        """Create an empty database; returns its URL."""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        return self.url(name)

    def drop_database(self, name: str) -> None:
        """Drop a database, disconnecting anyone still on it."""
        with psycopg.connect(self.url(), autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def remove(self) -> None:
        """Stop the server and delete its folder."""
        self.stop("immediate")
        shutil.rmtree(self.root, ignore_errors=True)


def wait_for(url: str, timeout: float = 30.0) -> None:
    """Wait until a database accepts connections."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            with psycopg.connect(url, connect_timeout=2):
                return
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)
