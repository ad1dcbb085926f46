"""`warroom serve`: the API on uvicorn over a store (a SQLite file or a PostgreSQL database).

fastapi and uvicorn are imported inside these functions only, so importing this module (as the
CLI does) costs nothing for the console.
"""

from __future__ import annotations

import socket
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from warroom.net import is_loopback

if TYPE_CHECKING:
    import uvicorn
    from fastapi import FastAPI

    from warroom.domain.policy import Policy


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
    """The app over a store (file path or database URL), checking tokens kept in it."""
    from warroom.server.api import create_app
    from warroom.server.tokens import TokenBook
    from warroom.store.target import open_store

    store = open_store(store_path)
    return create_app(store, policy, tokens=TokenBook(store), **options)


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
    run: Callable[[uvicorn.Server], int] | None = None,
) -> int:
    """Run the server until interrupted; returns an exit status.

    Args:
        store_path: the SQLite store file (created if missing) or a PostgreSQL URL.
        host: address to listen on (loopback by default; anything else should use TLS).
        port: TCP port (0: any free port).
        tls_cert: PEM certificate file; with `tls_key` the server speaks HTTPS only.
        tls_key: PEM private key file.
        config: the loaded `warroom.config.Config` (its `.policy` is used).
        policy: the policy, when no config is given.
        run: runs the prepared server and returns the exit status (the CLI passes one that
            runs the SSH / web gates beside it); default: just the server.
    """
    from warroom.server.tokens import TokenBook
    from warroom.store.target import describe

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
    limits = {} if config is None else {"max_body": config.file.server.max_body_bytes}
    app = build_app(store_path, policy, hooks=hooks,
                    delivery=config.delivery if config is not None else None, **limits)
    tokens = TokenBook(app.state.warroom.store).count()
    scheme = "https" if tls_cert else "http"
    print(f"warroom serve: {describe(store_path)} on {scheme}://{host}:{port} "
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
        if run is not None:
            status = run(server)
        else:
            server.run()
            status = 0 if server.started else 1
    finally:
        app.state.warroom.store.close()
    return status
