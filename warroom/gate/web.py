"""The browser view: the read-only wallboard through textual-serve, behind a token.

`warroom serve --web HOST:PORT` answers `http://HOST:PORT/?token=TOKEN`. What it does beyond
textual-serve 1.1 (whose `Server` has no auth, fetches Roboto Mono from Google Fonts in its page
template, and passes browser keys and mouse to the app):

- **Token.** `/?token=T` sets an HttpOnly, SameSite=Strict cookie and redirects to `/`, so the
  token leaves the address bar. Every route (page, websocket, static files) needs the cookie, the
  `token` query parameter or `Authorization: Bearer T`; compared in constant time.
- **Read-only.** Each browser gets its own `warroom wall` process (the wallboard has no input
  actions), and the websocket relay drops every `stdin` message (keys, mouse, paste) before it
  reaches the app; only resize and ping pass.
- **Nothing from the internet.** Our own page loads textual-serve's bundled xterm.css,
  textual.js and Roboto Mono font files from `/static`; a Content-Security-Policy limits every
  fetch to this origin, so nothing can reach out even by accident.
- **Cross-site websockets** are refused (the Origin must match the Host).
- **Session cap.** At most `max_sessions` browsers at once; more get HTTP 503.
- No downloads route, no directory listings.
"""

from __future__ import annotations

import asyncio
import contextlib
import hmac
import html
import os
import secrets
import shlex
import ssl
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from aiohttp import WSMsgType, web
from textual_serve.app_service import AppService
from textual_serve.download_manager import DownloadManager

from warroom.gate.console import session_env
from warroom.gate.guard import CONSOLE_MODULE
from warroom.net import is_loopback

COOKIE = "warroom_wall"
DEFAULT_PERSON = "wallboard"
# Websocket message types a read-only viewer may send (everything else, notably stdin, is dropped).
ALLOWED_MESSAGES = frozenset({"resize", "ping", "focus", "blur"})
_STATIC_FILES = {
    "css/xterm.css": "text/css",
    "js/textual.js": "application/javascript",
    "fonts/RobotoMono-VariableFont_wght.ttf": "font/ttf",
    "fonts/RobotoMono-Italic-VariableFont_wght.ttf": "font/ttf",
}

PAGE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="stylesheet" href="/static/css/xterm.css">
<style>
@font-face {{
  font-family: "Roboto Mono";
  src: url("/static/fonts/RobotoMono-VariableFont_wght.ttf") format("truetype");
  font-weight: 100 700; font-style: normal;
}}
@font-face {{
  font-family: "Roboto Mono";
  src: url("/static/fonts/RobotoMono-Italic-VariableFont_wght.ttf") format("truetype");
  font-weight: 100 700; font-style: italic;
}}
html, body {{ margin: 0; height: 100%; background: #0c181f; color: #e6e6e6;
  font-family: "Roboto Mono", monospace; }}
#terminal {{ position: absolute; inset: 0; }}
.notice {{ position: absolute; inset: 0; display: flex; align-items: center;
  justify-content: center; z-index: 10; background: #0c181f; }}
body.-first-byte .starting, .closed {{ display: none; }}
body.-closed .closed {{ display: flex; }}
#start {{ display: none; }}
</style>
<script src="/static/js/textual.js"></script>
</head>
<body>
<div class="notice starting">{title}: connecting&hellip;</div>
<div class="notice closed">The wallboard session ended. Reload the page to reconnect.</div>
<button id="start" type="button">Start</button>
<div id="terminal" class="textual-terminal" data-session-websocket-url="{ws_url}"
  data-font-size="{font_size}"></div>
</body>
</html>
"""

UNAUTHORIZED = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>warroom wallboard</title></head>
<body><p>This wallboard needs its link with the token (as printed by
<code>warroom serve --web</code>).</p></body></html>
"""


def default_token_path() -> Path:
    """`web_token` in the data directory."""
    from warroom.paths import data_dir

    return data_dir() / "web_token"


def load_or_create_token(path: str | Path) -> tuple[str, bool]:
    """The wallboard token kept in `path` (mode 0600), created the first time; (token, created)."""
    path = Path(path)
    if path.exists():
        token = path.read_text(encoding="utf-8").strip()
        if token:
            return token, False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    token = secrets.token_urlsafe(24)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as out:
        out.write(token + "\n")
    return token, True


def wall_command(store: str, config_path: str | None = None,
                 person: str = DEFAULT_PERSON) -> list[str]:
    """The wallboard command line (one process per browser)."""
    argv = [sys.executable, "-m", CONSOLE_MODULE, "--store", store, "--as", person]
    if config_path:
        argv += ["--config", str(config_path)]
    argv.append("wall")
    return argv


def static_dir() -> Path:
    """textual-serve's bundled static files (xterm.css, textual.js, fonts)."""
    import textual_serve

    return Path(textual_serve.__file__).parent / "static"



MIN_SIZE, MAX_SIZE = 10, 1000
"""Terminal columns and rows a browser may ask for (as on connect, so on resize)."""


def dimension(value: object) -> int | None:
    """A terminal width or height from a browser, capped; None when it is not a number."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        try:
            value = int(value.strip())
        except ValueError:
            return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if not isinstance(value, int):
        return None
    return max(MIN_SIZE, min(value, MAX_SIZE))

class WallServer:
    """The aiohttp application serving the wallboard. `await start()`, then `await close()`."""

    def __init__(self, command: Sequence[str], token: str, *, host: str = "127.0.0.1",
                 port: int = 8766, max_sessions: int = 16, title: str = "warroom wallboard",
                 person: str = DEFAULT_PERSON, ssl_context: ssl.SSLContext | None = None,
                 log: Callable[[str], None] | None = None) -> None:
        if not token:
            raise ValueError("the wallboard needs a token")
        self.command = shlex.join(command)
        self.token = token
        self.host = host
        self.port = port
        self.max_sessions = max_sessions
        self.title = title
        self.person = person
        self.ssl_context = ssl_context
        self.sessions = 0
        self.refused_input = 0
        self._log = log or (lambda text: print(f"warroom web: {text}", file=sys.stderr,
                                               flush=True))
        self._runner: Any = None
        self._services: set[Any] = set()
        self._static = static_dir()

    # -- auth -------------------------------------------------------------------------

    def _token_ok(self, candidate: str | None) -> bool:
        return bool(candidate) and hmac.compare_digest(
            str(candidate).encode(), self.token.encode())

    def authorized(self, request: web.Request) -> bool:
        """True if the request carries the token (cookie, query or bearer header)."""
        header = request.headers.get("Authorization", "")
        bearer = header[7:].strip() if header.lower().startswith("bearer ") else None
        return (self._token_ok(request.cookies.get(COOKIE))
                or self._token_ok(request.query.get("token"))
                or self._token_ok(bearer))

    def _csp(self, request: web.Request) -> str:
        scheme = "wss" if request.secure else "ws"
        return ("default-src 'none'; script-src 'self'; style-src 'self' 'unsafe-inline'; "
                "font-src 'self'; img-src 'self' data:; "
                f"connect-src 'self' {scheme}://{request.host}; "
                "base-uri 'none'; form-action 'none'; frame-ancestors 'none'")

    def _headers(self, request: web.Request) -> dict[str, str]:
        return {"Content-Security-Policy": self._csp(request),
                "X-Content-Type-Options": "nosniff",
                "Referrer-Policy": "no-referrer",
                "Cache-Control": "no-store"}

    # -- routes -----------------------------------------------------------------------

    async def index(self, request: web.Request) -> web.StreamResponse:
        """The page; `?token=` sets the cookie and redirects to a clean address."""
        query_token = request.query.get("token")
        if query_token is not None:
            if not self._token_ok(query_token):
                return web.Response(status=401, text=UNAUTHORIZED, content_type="text/html",
                                    headers=self._headers(request))
            response = web.Response(status=303, text="see /",
                                    headers={**self._headers(request), "Location": "/"})
            response.set_cookie(COOKIE, self.token, httponly=True, samesite="Strict",
                                secure=request.secure, path="/")
            return response
        if not self.authorized(request):
            return web.Response(status=401, text=UNAUTHORIZED, content_type="text/html",
                                headers=self._headers(request))
        try:
            font_size = max(8, min(int(request.query.get("fontsize", "16")), 48))
        except ValueError:
            font_size = 16
        scheme = "wss" if request.secure else "ws"
        page = PAGE.format(title=html.escape(self.title),
                           ws_url=html.escape(f"{scheme}://{request.host}/ws"),
                           font_size=font_size)
        return web.Response(text=page, content_type="text/html", headers=self._headers(request))

    async def static(self, request: web.Request) -> web.StreamResponse:
        """One of textual-serve's bundled files (a fixed list: no listing, no traversal)."""
        if not self.authorized(request):
            return web.Response(status=401, text="token required")
        name = request.match_info["name"]
        if name not in _STATIC_FILES:
            return web.Response(status=404, text="not found")
        return web.FileResponse(self._static / name,
                                headers={"Content-Type": _STATIC_FILES[name],
                                         "X-Content-Type-Options": "nosniff",
                                         "Cache-Control": "private, max-age=3600"})

    def _same_origin(self, request: web.Request) -> bool:
        origin = request.headers.get("Origin")
        if not origin:
            return True  # not a browser: the token alone decides
        return urlsplit(origin).netloc.lower() == request.host.lower()

    async def websocket(self, request: web.Request) -> web.StreamResponse:
        """One browser's wallboard: a fresh `wall` process, output relayed, input dropped."""
        if not self.authorized(request):
            return web.Response(status=401, text="token required")
        if not self._same_origin(request):
            return web.Response(status=403, text="cross-origin websocket refused")
        if self.sessions >= self.max_sessions:
            self._log(f"refused a browser: {self.max_sessions} wallboards already open")
            return web.Response(status=503, text="the wallboard is full; try again shortly")

        def size(name: str, default: int) -> int:
            value = dimension(request.query.get(name, default))
            return default if value is None else value

        self.sessions += 1
        websocket = web.WebSocketResponse(heartbeat=15)
        service: Any = None
        try:
            await websocket.prepare(request)
            service = _WallService(self.command, person=self.person,
                                   write_bytes=websocket.send_bytes,
                                   write_str=websocket.send_str,
                                   close=websocket.close,
                                   download_manager=DownloadManager())
            self._services.add(service)
            await service.start(size("width", 80), size("height", 24))
            async for message in websocket:
                if message.type != WSMsgType.TEXT:
                    continue
                try:
                    envelope = message.json()
                except ValueError:
                    continue
                if not isinstance(envelope, list) or not envelope:
                    continue
                kind, data = envelope[0], envelope[1] if len(envelope) > 1 else None
                if not isinstance(kind, str) or kind not in ALLOWED_MESSAGES:
                    self.refused_input += 1
                    continue
                if kind == "resize":
                    if not isinstance(data, dict):
                        continue
                    width, height = dimension(data.get("width")), dimension(data.get("height"))
                    if width is not None and height is not None:
                        await service.set_terminal_size(width, height)
                elif kind == "ping" and len(envelope) > 1:
                    await websocket.send_json(["pong", data])
                elif kind == "focus":
                    await service.focus()
                elif kind == "blur":
                    await service.blur()
        except asyncio.CancelledError:
            await websocket.close()
            raise
        finally:
            self.sessions -= 1
            if service is not None:
                self._services.discard(service)
                await service.stop()
        return websocket

    def make_app(self) -> web.Application:
        """The aiohttp application."""
        app = web.Application()
        app.router.add_get("/", self.index)
        app.router.add_get("/ws", self.websocket)
        app.router.add_get("/static/{name:.+}", self.static)
        return app

    async def start(self) -> int:
        """Listen; returns the port."""
        self._runner = web.AppRunner(self.make_app(), access_log=None, handle_signals=False)
        await self._runner.setup()
        site = web.TCPSite(self._runner, self.host, self.port, ssl_context=self.ssl_context)
        await site.start()
        server = site._server
        sockets = getattr(server, "sockets", None) or []
        if sockets:
            self.port = int(sockets[0].getsockname()[1])
        return self.port

    async def close(self) -> None:
        """Stop every wallboard process and the listener."""
        for service in list(self._services):
            await service.stop()
        if self._runner is not None:
            await self._runner.cleanup()

    def url(self, host: str | None = None) -> str:
        """The link to hand out (with the token)."""
        scheme = "https" if self.ssl_context else "http"
        return f"{scheme}://{host or self.host}:{self.port}/?token={self.token}"


class _WallService(AppService):
    """textual-serve's process driver, with the gate's environment for a remote viewer."""

    def __init__(self, command: str, *, person: str, **kwargs: Any) -> None:
        super().__init__(command, **kwargs)
        self.person = person

    def _build_environment(self, width: int = 80, height: int = 24) -> dict[str, str]:
        serve_env = super()._build_environment(width=width, height=height)
        env = session_env(self.person, True, "xterm-256color")
        for name in ("TEXTUAL_DRIVER", "TEXTUAL_FPS", "TEXTUAL_COLOR_SYSTEM",
                     "TERM_PROGRAM", "TERM_PROGRAM_VERSION", "COLUMNS", "ROWS"):
            if name in serve_env:
                env[name] = serve_env[name]
        return env

    async def stop(self) -> None:
        """Ask the app to quit; kill it if it has not within 5 s; reap it."""
        with contextlib.suppress(TimeoutError, ConnectionError):
            await asyncio.wait_for(super().stop(), 5)
        process = self._process
        if process is None:
            return
        if process.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                process.kill()
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(process.wait(), 5)
        transport = getattr(process, "_transport", None)
        if transport is not None:
            transport.close()


def tls_context(cert: str | Path | None, key: str | Path | None) -> ssl.SSLContext | None:
    """A server TLS context from PEM files (None without them)."""
    if cert is None and key is None:
        return None
    if cert is None or key is None:
        raise ValueError("--tls-cert and --tls-key go together")
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    context.load_cert_chain(str(cert), str(key))
    return context


async def run_web(host: str, port: int, store: str, token: str | None = None,
                  config_path: str | Path | None = None, *, max_sessions: int = 16,
                  token_path: str | Path | None = None,
                  tls_cert: str | Path | None = None, tls_key: str | Path | None = None,
                  person: str = DEFAULT_PERSON,
                  started: Callable[[WallServer], None] | None = None) -> None:
    """Serve the read-only wallboard until cancelled (a coroutine: run it beside the others).

    `token` None: the token kept in `token_path` (default `data_dir()/web_token`), created once.
    Prints the link (with the token) to stderr.
    """
    created = False
    if not token:
        token, created = load_or_create_token(token_path or default_token_path())
    server = WallServer(wall_command(str(store), str(config_path) if config_path else None,
                                     person),
                        token, host=host, port=port, max_sessions=max_sessions,
                        person=person, ssl_context=tls_context(tls_cert, tls_key))
    await server.start()
    note = " (new token)" if created else ""
    server._log(f"wallboard on {server.url()}{note}; at most {max_sessions} browsers")
    if not is_loopback(host) and server.ssl_context is None:
        server._log(f"warning: listening on {host} without TLS; the token travels in clear text")
    if started is not None:
        started(server)
    try:
        await asyncio.Event().wait()
    finally:
        await server.close()
