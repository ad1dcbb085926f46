"""`warroom serve`: the API on uvicorn over a SQLite store file.

fastapi and uvicorn are imported inside these functions only, so importing this module (as the
CLI does) costs nothing for the console.
"""

from __future__ import annotations

import ipaddress
import socket
import sys
from collections.abc import Coroutine, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

    from warroom.domain.policy import Policy


def is_loopback(host: str) -> bool:
    """True for 127.0.0.0/8, ::1 and `localhost`."""
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def make_server(app: FastAPI, host: str = "127.0.0.1", port: int = 8765, *,
                tls_cert: str | Path | None = None, tls_key: str | Path | None = None,
                log_level: str = "warning", **options: Any) -> uvicorn.Server:
    """A uvicorn server for `app` that ends open SSE streams promptly when asked to stop."""
    import uvicorn

    config = uvicorn.Config(
        app,
        host=host,
        port=port,
        ssl_certfile=str(tls_cert) if tls_cert else None,
        ssl_keyfile=str(tls_key) if tls_key else None,
        log_level=log_level,
        lifespan="on",
        timeout_graceful_shutdown=3,
        **options,
    )

    class Server(uvicorn.Server):
        async def shutdown(self, sockets: list[socket.socket] | None = None) -> None:
            parts = getattr(app.state, "warroom", None)
            if parts is not None:
                parts.broker.close_streams()
            await super().shutdown(sockets)

    return Server(config)


def build_app(store_path: str | Path, policy: Policy, **options: Any) -> FastAPI:
    """The app over a store file, checking tokens kept in that file."""
    from warroom.server.api import create_app
    from warroom.server.tokens import TokenBook
    from warroom.store.sqlite import SqliteStore

    store = SqliteStore(store_path)
    return create_app(store, policy, tokens=TokenBook(store_path), **options)


def serve(
    store_path: str | Path,
    host: str = "127.0.0.1",
    port: int = 8765,
    tls_cert: str | Path | None = None,
    tls_key: str | Path | None = None,
    config: Any = None,
    *,
    policy: Policy | None = None,
    log_level: str = "info",
    gates: Sequence[Coroutine[Any, Any, None]] = (),
) -> int:
    """Run the server until interrupted; returns an exit status.

    Args:
        store_path: the SQLite store file (created if missing).
        host: address to listen on (loopback by default; anything else should use TLS).
        port: TCP port (0: any free port).
        tls_cert: PEM certificate file; with `tls_key` the server speaks HTTPS only.
        tls_key: PEM private key file.
        config: the loaded `warroom.config.Config` (its `.policy` is used).
        policy: the policy, when no config is given.
        gates: SSH / web gate coroutines to run beside the API in the same event loop.
    """
    from warroom.server.tokens import TokenBook

    if (tls_cert is None) != (tls_key is None):
        print("warroom serve: --tls-cert and --tls-key go together", file=sys.stderr)
        return 2
    if policy is None:
        if config is None:
            from warroom.config import load_config

            config = load_config()
        policy = config.policy
    assert policy is not None
    hooks = config.file.hooks if config is not None else None
    app = build_app(store_path, policy, hooks=hooks,
                    delivery=config.delivery if config is not None else None)
    book = TokenBook(store_path)
    try:
        tokens = book.count()
    finally:
        book.close()
    scheme = "https" if tls_cert else "http"
    print(f"warroom serve: {Path(store_path)} on {scheme}://{host}:{port} "
          f"(docs at /docs; {tokens} active token{'s' if tokens != 1 else ''})", file=sys.stderr)
    if tokens == 0:
        print("warroom serve: no tokens yet, so every request is refused: "
              "run 'warroom token add PERSON'", file=sys.stderr)
    if not is_loopback(host) and not tls_cert:
        print(f"warroom serve: warning: listening on {host} without TLS; tokens travel in "
              "clear text (use --tls-cert/--tls-key)", file=sys.stderr)
    server = make_server(app, host, port, tls_cert=tls_cert, tls_key=tls_key,
                         log_level=log_level)
    try:
        if gates:
            from warroom.gate.serve import run_services

            status = run_services(gates, api=server)
        else:
            server.run()
            status = 0 if server.started else 1
    finally:
        app.state.warroom.store.close()
    return status
