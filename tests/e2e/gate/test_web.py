"""The browser wallboard: token, local assets only, read-only relay, caps; the real `wall`."""

from __future__ import annotations

import asyncio
import base64
import contextlib
import re
import shutil
import subprocess
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import aiohttp
import pytest

from tests.e2e.gate.conftest import TITLE, seed_store
from warroom.gate.web import WallServer, dimension, load_or_create_token, wall_command

TOKEN = "t0ken-for-tests"
ANSI = re.compile(rb"\x1b(\[[0-9;?<>=!]*[ -/]*[@-~]|\][^\x07\x1b]*(\x07|\x1b\\)|[@-Z\\-_])")


@pytest.fixture
async def wall(tmp_path: Path) -> AsyncIterator[WallServer]:
    store = tmp_path / "warroom.db"
    seed_store(store)
    server = WallServer(wall_command(str(store)), TOKEN, host="127.0.0.1", port=0,
                        max_sessions=1, log=lambda _: None)
    await server.start()
    yield server
    await server.close()


def base(server: WallServer) -> str:
    return f"http://127.0.0.1:{server.port}"


async def test_token_sets_a_cookie_and_the_page_fetches_nothing_outside(
        wall: WallServer) -> None:
    jar = aiohttp.CookieJar(unsafe=True)  # keep cookies set by an IP-address host
    async with aiohttp.ClientSession(cookie_jar=jar) as http:
        async with http.get(base(wall) + "/") as r:
            assert r.status == 401
        async with http.get(base(wall) + "/?token=nope") as r:
            assert r.status == 401
        async with http.get(base(wall) + "/static/js/textual.js") as r:
            assert r.status == 401
        async with http.get(base(wall) + f"/?token={TOKEN}", allow_redirects=False) as r:
            assert r.status == 303 and r.headers["Location"] == "/"
            cookie = r.headers["Set-Cookie"]
            assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
        async with http.get(base(wall) + "/") as r:  # the cookie now does it
            assert r.status == 200
            page = await r.text()
            csp = r.headers["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self'" in csp
    assert "googleapis" not in page and not re.search(r"https?://", page)
    urls = re.findall(r'(?:href|src|url\()\s*=?\s*"([^"]+)"', page)
    assert urls and all(u.startswith("/static/") for u in urls), urls
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as http:
        for name in ("js/textual.js", "css/xterm.css", "fonts/RobotoMono-VariableFont_wght.ttf"):
            async with http.get(base(wall) + f"/static/{name}") as r:
                assert r.status == 200 and len(await r.read()) > 1000, name
        for bad in ("../server.py", "js/", "templates/app_index.html", "%2e%2e/server.py"):
            async with http.get(base(wall) + f"/static/{bad}") as r:
                assert r.status == 404, bad


async def read_until(ws: aiohttp.ClientWebSocketResponse, text: bytes,
                     timeout: float = 20.0) -> bytes:
    """Binary frames until `text` shows (escape sequences stripped)."""
    seen = b""
    async with asyncio.timeout(timeout):
        while text not in ANSI.sub(b"", seen):
            message = await ws.receive()
            if message.type == aiohttp.WSMsgType.BINARY:
                seen += message.data
            elif message.type in (aiohttp.WSMsgType.CLOSE, aiohttp.WSMsgType.CLOSED,
                                  aiohttp.WSMsgType.ERROR):
                raise AssertionError(f"socket closed before {text!r}: {seen[-300:]!r}")
    return seen


async def test_the_wallboard_streams_and_browser_input_is_dropped(wall: WallServer) -> None:
    url = base(wall) + "/ws?width=120&height=40"
    async with aiohttp.ClientSession() as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as refused:
            await http.ws_connect(url)
        assert refused.value.status == 401
        async with http.ws_connect(url, headers={"Authorization": f"Bearer {TOKEN}"}) as ws:
            await read_until(ws, TITLE.encode())
            await read_until(ws, b"read-only")
            # `q` quits the wallboard and Ctrl-C is the quit prompt: neither may arrive.
            await ws.send_json(["stdin", "q"])
            await ws.send_json(["stdin", "\x03"])
            await ws.send_json(["stdin", "\x1b[<0;10;5M"])  # a mouse click
            # A resize does arrive: the app redraws at the new size, so it is alive and
            # has handled everything sent before the resize.
            await ws.send_json(["resize", {"width": 100, "height": 30}])
            await read_until(ws, TITLE.encode())
            await ws.send_json(["ping", "42"])
            async with asyncio.timeout(10):
                while True:
                    message = await ws.receive()
                    if message.type == aiohttp.WSMsgType.TEXT:
                        assert message.json() == ["pong", "42"]
                        break
            assert not ws.closed
    assert wall.refused_input == 3


async def test_malformed_and_huge_resizes_are_ignored_or_capped(wall: WallServer) -> None:
    url = base(wall) + "/ws?width=120&height=40"
    async with aiohttp.ClientSession(headers={"Authorization": f"Bearer {TOKEN}"}) as http, \
            http.ws_connect(url) as ws:
        await read_until(ws, TITLE.encode())
        for bad in (["resize", {"width": "wide", "height": 30}], ["resize", {"width": None}],
                    ["resize", {"width": [1], "height": {}}], ["resize", "big"], ["resize"],
                    ["resize", {"width": 1e999, "height": 30}], ["ping"], [], 5, {"a": 1}):
            await ws.send_json(bad)
        await ws.send_json(["resize", {"width": 10**12, "height": -5}])
        await ws.send_json(["resize", {"width": 90, "height": 30}])  # still alive, still resizes
        await read_until(ws, TITLE.encode())
        await ws.send_json(["ping", "after"])
        async with asyncio.timeout(10):
            while (message := await ws.receive()).type != aiohttp.WSMsgType.TEXT:
                assert message.type == aiohttp.WSMsgType.BINARY
        assert message.json() == ["pong", "after"] and not ws.closed
    assert [dimension(v) for v in (10**12, -5, "77", 80.0, "x", None, True, float("nan"))] \
        == [1000, 10, 77, 80, None, None, None, None]


async def test_session_cap_and_cross_site_sockets(wall: WallServer) -> None:
    url = base(wall) + "/ws"
    headers = {"Authorization": f"Bearer {TOKEN}"}
    async with aiohttp.ClientSession(headers=headers) as http:
        with pytest.raises(aiohttp.WSServerHandshakeError) as cross:
            await http.ws_connect(url, headers={"Origin": "http://evil.example"})
        assert cross.value.status == 403
        async with http.ws_connect(url) as first:
            await read_until(first, TITLE.encode())
            with pytest.raises(aiohttp.WSServerHandshakeError) as full:
                await http.ws_connect(url)
            assert full.value.status == 503
        async with asyncio.timeout(10):
            while wall.sessions:  # the first browser's process is stopped and its slot freed
                await asyncio.sleep(0.02)
        async with http.ws_connect(url) as again:
            await read_until(again, TITLE.encode())


def test_token_is_created_once_and_kept(tmp_path: Path) -> None:
    path = tmp_path / "d" / "web_token"
    token, created = load_or_create_token(path)
    assert created and len(token) >= 24 and (path.stat().st_mode & 0o777) == 0o600
    assert load_or_create_token(path) == (token, False)


def _chromium() -> str | None:
    for name in ("chromium", "chromium-browser", "google-chrome"):
        if path := shutil.which(name):
            return path
    return None


class DevTools:
    """Just enough of the Chrome DevTools Protocol over aiohttp: commands and events."""

    def __init__(self, ws: aiohttp.ClientWebSocketResponse) -> None:
        self.ws = ws
        self.next_id = 0
        self.events: list[dict[str, Any]] = []
        self.session: str | None = None

    async def call(self, method: str, **params: Any) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params}
        if self.session and not method.startswith("Target."):
            message["sessionId"] = self.session
        await self.ws.send_json(message)
        while True:
            reply = await self.ws.receive_json()
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise AssertionError(f"{method}: {reply['error']}")
                return dict(reply.get("result", {}))
            if "method" in reply:
                self.events.append(reply)

    async def evaluate(self, expression: str) -> Any:
        result = await self.call("Runtime.evaluate", expression=expression, returnByValue=True)
        return result.get("result", {}).get("value")


@contextlib.asynccontextmanager
async def chromium_page(tmp_path: Path, width: int, height: int,
                        *flags: str) -> AsyncIterator[DevTools]:
    """Headless Chromium at `width`x`height` with a blank page, driven over DevTools (skips
    where Chromium is not installed). Its stderr is read to the end meanwhile: it logs there,
    and a full pipe would stall it."""
    browser = _chromium()
    if browser is None:
        pytest.skip("chromium is not installed")
    proc = await asyncio.create_subprocess_exec(
        browser, "--headless", "--no-sandbox", "--use-angle=swiftshader",
        "--enable-unsafe-swiftshader", "--no-first-run", *flags,
        "--disable-background-networking", "--disable-component-update",
        "--remote-debugging-port=0", f"--user-data-dir={tmp_path / 'profile'}",
        f"--window-size={width},{height}", "about:blank",
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    drain: asyncio.Task[bytes] | None = None
    try:
        assert proc.stderr is not None
        async with asyncio.timeout(30):
            while True:
                line = (await proc.stderr.readline()).decode()
                assert line, "chromium exited before its DevTools endpoint was up"
                if found := re.search(r"DevTools listening on (ws://\S+)", line):
                    endpoint = found[1]
                    break
        drain = asyncio.ensure_future(proc.stderr.read())
        async with aiohttp.ClientSession() as http, http.ws_connect(endpoint,
                                                                    max_msg_size=0) as ws:
            cdp = DevTools(ws)
            target = await cdp.call("Target.createTarget", url="about:blank")
            attached = await cdp.call("Target.attachToTarget", targetId=target["targetId"],
                                      flatten=True)
            cdp.session = attached["sessionId"]
            yield cdp
    finally:
        if proc.returncode is None:
            proc.kill()
        await proc.wait()
        if drain is not None:
            await drain


async def test_headless_chromium_renders_the_wallboard(wall: WallServer, tmp_path: Path) -> None:
    """Optional: a real browser draws the wallboard, fetches nothing from elsewhere, and its
    keystrokes never reach the app."""
    async with chromium_page(tmp_path, 1200, 700) as cdp:
        await cdp.call("Network.enable")
        await cdp.call("Page.enable")
        await cdp.call("Page.navigate", url=base(wall) + f"/?token={TOKEN}")
        async with asyncio.timeout(30):
            while not await cdp.evaluate(
                    "document.body !== null && "
                    "document.body.classList.contains('-first-byte')"):
                await asyncio.sleep(0.1)
            while wall.sessions != 1:
                await asyncio.sleep(0.05)
        await cdp.call("Input.dispatchKeyEvent", type="keyDown", key="q", text="q")
        await cdp.call("Input.dispatchKeyEvent", type="keyUp", key="q")
        async with asyncio.timeout(10):
            while wall.refused_input == 0:  # the browser sent the key; the gate dropped it
                await cdp.evaluate("1")
                await asyncio.sleep(0.05)
        shot = await cdp.call("Page.captureScreenshot", format="png")
        png = base64.b64decode(shot["data"])
        (tmp_path / "wallboard.png").write_bytes(png)
        assert png[:8] == b"\x89PNG\r\n\x1a\n" and len(png) > 20_000
        assert wall.sessions == 1  # the wallboard is still up after the key
        urls = [e["params"]["request"]["url"] for e in cdp.events
                if e.get("method") == "Network.requestWillBeSent"]
        assert urls, "no requests seen"
        origin = base(wall)
        outside = [u for u in urls if not u.startswith((origin, "ws://127.0.0.1", "data:"))]
        assert outside == [], outside


# -- the wallboard's layout, as a 1600x900 browser draws it ---------------------------------

GRAB_TERMINAL = """Object.defineProperty(Object.prototype, "terminal", {configurable: true,
  set(value) {
    window.__wallTerminal = value;
    Object.defineProperty(this, "terminal", {value, writable: true, configurable: true,
                                             enumerable: true});
  }});"""
"""Run before the page's scripts: keeps a handle on the xterm.js terminal textual.js creates
(`this.terminal = new Terminal(...)`), whose buffer holds the text the canvas shows."""

READ_TERMINAL = """(() => { const t = window.__wallTerminal; if (!t) return null;
  const lines = [];
  for (let y = 0; y < t.rows; y++) lines.push(t.buffer.active.getLine(y).translateToString(true));
  return {cols: t.cols, rows: t.rows, lines}; })()"""

CORNERS = {"╭": "╮", "┏": "┓"}


def card_boxes(lines: list[str]) -> list[tuple[int, int, int, int]]:
    """(left, top, right, bottom) of each card drawn in `lines` (outermost boxes only)."""
    boxes = []
    for top, line in enumerate(lines):
        for left, char in enumerate(line):
            if char not in CORNERS or any(b[0] <= left <= b[2] and b[1] <= top <= b[3]
                                          for b in boxes):
                continue
            right = line.find(CORNERS[char], left + 1)
            bottom_corner = "╰" if char == "╭" else "┗"
            bottom = next(y for y in range(top + 1, len(lines))
                          if lines[y][left:left + 1] == bottom_corner)
            boxes.append((left, top, right, bottom))
    return boxes


async def browser_terminal(server: WallServer, tmp_path: Path,
                           done: list[str]) -> dict[str, Any]:
    """Open the wallboard in headless Chromium at 1600x900; the terminal's text once every
    string in `done` shows on it (or after 40 s: the caller's assertions say what is missing)."""
    async with chromium_page(tmp_path, 1600, 900, "--hide-scrollbars") as cdp:
        await cdp.call("Page.enable")
        await cdp.call("Emulation.setDeviceMetricsOverride", width=1600, height=900,
                       deviceScaleFactor=1, mobile=False)  # the page itself is 1600x900
        await cdp.call("Page.addScriptToEvaluateOnNewDocument", source=GRAB_TERMINAL)
        await cdp.call("Page.navigate", url=base(server) + f"/?token={TOKEN}")
        loop = asyncio.get_running_loop()
        deadline = loop.time() + 40
        while loop.time() < deadline:
            screen = await cdp.evaluate(READ_TERMINAL)
            if screen and all(words in "\n".join(screen["lines"]) for words in done):
                break
            await asyncio.sleep(0.1)
        assert screen, "the page never made its terminal"
        viewport = await cdp.evaluate("[innerWidth, innerHeight]")
        shot = await cdp.call("Page.captureScreenshot", format="png")
        (tmp_path / "wallboard.png").write_bytes(base64.b64decode(shot["data"]))
        return dict(screen, viewport=viewport)


@pytest.mark.parametrize("more", [0, 3])
async def test_wallboard_cards_fill_a_1600x900_browser(more: int, tmp_path: Path) -> None:
    """In a real browser at 1600x900 the cards cover the board and say everything a glance
    needs: clocks with state words, commitments, the last customer update, commander, SPOC."""
    from warroom.cli import run

    store = tmp_path / "warroom.db"
    seed_store(store)
    base_args = ["--store", str(store), "--as", "dana"]
    assert run([*base_args, "assign", "ESC-1", "customer_spoc", "sam"]) == 0
    assert run([*base_args, "update", "ESC-1", "--audience", "customer",
                "--body", "We are investigating slow checkouts.\nMore soon."]) == 0
    assert run([*base_args, "commit", "ESC-1", "Share the root cause", "--due", "+2h"]) == 0
    for n in range(more):
        assert run([*base_args, "open", f"Exports delayed {n}", "--customer", f"Contoso {n}",
                    "--severity", "P2"]) == 0
    server = WallServer(wall_command(str(store)), TOKEN, host="127.0.0.1", port=0,
                        max_sessions=1, log=lambda _: None)
    await server.start()
    expected = ["ESC-1 · Acme", TITLE, "Commander dana", "SPOC sam", "● OK       Next update",
                "● OK       Resolve", "left  due", "Commitments · 1 open",
                "Next: ● due in 1h59m", "Share the root cause", "Last customer update",
                "“We are investigating slow checkouts.”",
                *(f"ESC-{n + 2} · Contoso {n}" for n in range(more)),
                *(f"Exports delayed {n}" for n in range(more))]
    try:
        screen = await browser_terminal(server, tmp_path, expected)
    finally:
        await server.close()
    cols, rows, lines = screen["cols"], screen["rows"], screen["lines"]
    assert screen["viewport"] == [1600, 900]
    assert cols >= 150 and rows >= 35, (cols, rows)  # the whole page is one terminal
    text = "\n".join(lines)
    assert f"{1 + more} open escalation(s)" in lines[0]
    for words in expected:  # what the cards must say, as the browser drew them
        assert words in text, (words, text)
    boxes = card_boxes(lines[1:])
    assert len(boxes) == 1 + more, boxes
    board = (cols - 2) * (rows - 1)  # below the title line, inside the side margins
    covered = sum((r - left + 1) * (b - t + 1) for left, t, r, b in boxes)
    assert covered >= 0.95 * board - (rows - 1) * (len({b[0] for b in boxes}) - 1), (
        covered, board, boxes)
    # each card's interior is used from top to bottom (was: three lines of text, then empty
    # frame): text or digits in every third of it, on most of its rows
    for left, top, right, bottom in boxes:
        inside = [bool(lines[1 + y][left + 1:right].strip()) for y in range(top + 1, bottom)]
        third = len(inside) // 3
        assert all(any(inside[n * third:(n + 1) * third]) for n in range(3)), (left, top)
        assert sum(inside) >= 0.45 * len(inside), (sum(inside), len(inside), left, top)
    assert text.count("Commander dana") == 1 + more
