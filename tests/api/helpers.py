"""Test helpers: a real uvicorn on 127.0.0.1 (ephemeral port) over a real SQLite file, and
`warroom serve` as a child process."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

import httpx

from warroom.domain.policy import Policy
from warroom.server.api import create_app, system_clock
from warroom.server.run import make_server
from warroom.server.tokens import TokenBook
from warroom.store.sqlite import SqliteStore

HOST = "127.0.0.1"


def wait_until(predicate: Callable[[], Any], timeout: float = 10.0, every: float = 0.02,
               what: str = "condition") -> Any:
    """Poll `predicate` until it returns something truthy; fail after `timeout` seconds."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value:
            return value
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out after {timeout}s waiting for {what}")
        time.sleep(every)


def free_port() -> int:
    """A TCP port free on loopback right now."""
    with socket.socket() as sock:
        sock.bind((HOST, 0))
        return int(sock.getsockname()[1])


class LiveServer:
    """uvicorn serving `create_app` in a thread; `stop()` and `start()` again on the same port."""

    def __init__(self, store_path: Path, policy: Policy,
                 clock: Callable[[], datetime] = system_clock,
                 tls: tuple[Path, Path] | None = None, **options: Any) -> None:
        self.tls = tls
        self.store_path = store_path
        self.policy = policy
        self.clock = clock
        self.options = options
        self.port = 0
        self.store: SqliteStore | None = None
        self._thread: threading.Thread | None = None
        self._server: Any = None
        self.app: Any = None

    @property
    def url(self) -> str:
        return f"{'https' if self.tls else 'http'}://{HOST}:{self.port}"

    def start(self) -> LiveServer:
        self.store = SqliteStore(self.store_path)
        self.app = create_app(self.store, self.policy, self.clock,
                              tokens=TokenBook(self.store), **self.options)
        sock = socket.socket()
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((HOST, self.port))
        self.port = sock.getsockname()[1]
        cert, key = self.tls if self.tls else (None, None)
        self._server = make_server(self.app, HOST, self.port, tls_cert=cert, tls_key=key)
        self._thread = threading.Thread(target=self._server.run, kwargs={"sockets": [sock]},
                                        daemon=True)
        self._thread.start()
        wait_until(lambda: self._server.started, what="uvicorn to start")
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.should_exit = True
        if self._thread is not None:
            self._thread.join(timeout=15)
            assert not self._thread.is_alive(), "server thread did not stop"
        if self.store is not None:
            self.store.close()
        self._server = self._thread = self.store = None


@dataclass
class Tokens:
    alice: str
    bob: str
    carol: str
    wall: str


def client(server: LiveServer, token: str | None) -> httpx.Client:
    """A client for the API with a bearer token."""
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return httpx.Client(base_url=server.url + "/api/v1", headers=headers, timeout=10)


class Watcher:
    """Runs `HttpStore.watch` (or any Store's) on its own event loop in a thread, collecting."""

    def __init__(self, store: Any, since: int = 0) -> None:
        import asyncio

        self.events: list[Any] = []
        self.batches = 0
        self._store = store
        self._since = since
        self._loop = asyncio.new_event_loop()
        self._task: Any = None
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        import asyncio
        import contextlib

        async def consume() -> None:
            async for batch in self._store.watch(self._since):
                self.batches += 1
                self.events.extend(batch)

        asyncio.set_event_loop(self._loop)
        self._task = self._loop.create_task(consume())
        with contextlib.suppress(asyncio.CancelledError):
            self._loop.run_until_complete(self._task)
        self._loop.close()

    def seqs(self) -> list[int]:
        return [e.seq for e in list(self.events)]

    def stop(self) -> None:
        wait_until(lambda: self._task is not None, what="watcher to start")
        self._loop.call_soon_threadsafe(self._task.cancel)
        self._thread.join(timeout=10)
        assert not self._thread.is_alive()


class ServerProcess:
    """`warroom serve` in a child process on 127.0.0.1, answering `/healthz` once started.

    Its stderr goes to a temporary file, shown if it exits early: a pipe nobody reads would
    fill up with the errors it logs while its store is unavailable and block the server.
    """

    def __init__(self, store: str | Path, port: int | None = None) -> None:
        self.port = port or free_port()
        self.url = f"http://{HOST}:{self.port}"
        self._log = tempfile.TemporaryFile()  # noqa: SIM115 (closed by stop())
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "warroom", "serve", "--store", str(store),
             "--port", str(self.port), "--log-level", "warning"],
            stdout=subprocess.DEVNULL, stderr=self._log, env=os.environ.copy())

        def healthy() -> bool:
            assert self.proc.poll() is None, f"warroom serve exited: {self.stderr()}"
            try:
                return httpx.get(self.url + "/healthz", timeout=1).status_code == 200
            except httpx.HTTPError:
                return False

        wait_until(healthy, timeout=30, every=0.05, what="warroom serve to answer")

    def stderr(self) -> str:
        """What the server wrote to stderr so far."""
        self._log.seek(0)
        return self._log.read().decode(errors="replace")

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(timeout=10)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.kill()
        self._log.close()


def assert_log_keeps(events: Sequence[dict[str, Any]], acked: Sequence[str]) -> int:
    """The log (API event dicts) holds every acknowledged note key exactly once, no key twice,
    and seqs 1..last with no gap; returns the last seq."""
    keys = Counter(e["idempotency_key"] for e in events
                   if e["kind"] == "note" and e["idempotency_key"])
    missing = [k for k in acked if keys[k] == 0]
    assert not missing, f"{len(missing)} acknowledged commands lost, e.g. {missing[:3]}"
    doubled = [k for k, n in keys.items() if n > 1]
    assert not doubled, f"commands written twice: {doubled[:3]}"
    seqs = [e["seq"] for e in events]
    assert seqs == list(range(1, len(seqs) + 1))
    return len(seqs)
