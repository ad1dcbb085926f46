"""Hostile input against a real server: body and nesting limits, OPTIONS, revoked streams."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import httpx
import pytest

from tests.api.helpers import LiveServer, Tokens, client, wait_until
from warroom.domain.policy import Policy
from warroom.server.guard import json_depth
from warroom.server.tokens import revoke_token


def test_bodies_over_the_limit_get_413_before_any_route_reads_them(
        live: LiveServer, tokens: Tokens) -> None:
    alice = client(live, tokens.alice)
    alice.post("/escalations", json={"title": "t", "customer": "c"})
    huge = {"type": "note", "incident_id": "ESC-1", "text": "x" * (1024 * 1024 + 10)}
    refused = alice.post("/commands", json=huge)
    assert refused.status_code == 413
    assert refused.json() == {"error": "body: larger than the 1048576-byte limit",
                              "field": "body"}

    def chunks() -> object:  # no Content-Length: counted as it arrives
        for _ in range(40):
            yield b"x" * 65536

    streamed = alice.post("/commands", content=chunks(),  # type: ignore[arg-type]
                          headers={"content-type": "application/json"})
    assert streamed.status_code == 413 and streamed.json()["field"] == "body"
    assert [e["kind"] for e in alice.get("/events").json()["events"]] == ["opened"]


def test_the_body_limit_is_configurable(store_path: Path, policy: Policy,
                                        tokens: Tokens) -> None:
    server = LiveServer(store_path, policy, max_body=2048).start()
    try:
        alice = client(server, tokens.alice)
        alice.post("/escalations", json={"title": "t", "customer": "c"})
        ok = alice.post("/commands", json={"type": "note", "incident_id": "ESC-1",
                                           "text": "x" * 1500})
        assert ok.status_code == 200
        big = alice.post("/commands", json={"type": "note", "incident_id": "ESC-1",
                                            "text": "x" * 2500})
        assert big.status_code == 413 and "2048-byte" in big.json()["error"]
    finally:
        server.stop()


@pytest.mark.parametrize("path", ["/commands", "/escalations", "/escalations/ESC-1/draft"])
def test_deeply_nested_json_is_a_400_naming_the_body(live: LiveServer, tokens: Tokens,
                                                     path: str) -> None:
    alice = client(live, tokens.alice)
    alice.post("/escalations", json={"title": "t", "customer": "c"})
    body = '{"type": "note", "x": ' + "[" * 100_000 + "]" * 100_000 + "}"
    method = "PUT" if path.endswith("draft") else "POST"
    answer = alice.request(method, path, content=body,
                           headers={"content-type": "application/json"})
    assert answer.status_code == 400, answer.text
    assert answer.json()["field"] == "body" and "nested" in answer.json()["error"]
    assert json_depth(b'{"a": "[[[[", "b": [[{}]], "c": "\\\\"}') == 4


def test_options_answers_with_the_methods_a_path_takes(live: LiveServer,
                                                       tokens: Tokens) -> None:
    anonymous = client(live, None)
    answer = anonymous.options("/escalations/ESC-1/draft")
    assert answer.status_code == 204 and answer.content == b""
    assert answer.headers["allow"] == "DELETE, GET, HEAD, OPTIONS, PUT"
    assert anonymous.options("/commands").headers["allow"] == "OPTIONS, POST"
    missing = anonymous.options("/no/such/thing")
    assert missing.status_code == 404 and missing.json() == {"error": "Not Found"}


def test_a_stream_whose_token_is_revoked_is_closed_within_a_second(
        live: LiveServer, tokens: Tokens, store_path: Path) -> None:
    ended: list[float] = []
    opened = threading.Event()

    def follow() -> None:
        with httpx.Client(base_url=live.url + "/api/v1", timeout=30,
                          headers={"Authorization": f"Bearer {tokens.bob}"}) as bob, \
                bob.stream("GET", "/stream") as response:
            assert response.status_code == 200
            opened.set()
            for _ in response.iter_raw():
                pass
        ended.append(time.monotonic())

    reader = threading.Thread(target=follow, daemon=True)
    reader.start()
    assert opened.wait(10)
    revoked_at = time.monotonic()
    revoke_token(store_path, tokens.bob)
    wait_until(lambda: ended, timeout=15, what="the stream to close")
    assert ended[0] - revoked_at < 1.0, f"closed after {ended[0] - revoked_at:.2f} s"
    reader.join(5)
    # a stream with a valid token stays open meanwhile
    with httpx.Client(base_url=live.url + "/api/v1", timeout=30,
                      headers={"Authorization": f"Bearer {tokens.alice}"}) as alice, \
            alice.stream("GET", "/stream") as response:
        start = time.monotonic()
        for _ in response.iter_raw():
            if time.monotonic() - start > 1.5:
                break
        assert time.monotonic() - start > 1.5


def test_out_of_range_and_naive_inputs_are_4xx_json_naming_the_field(
        live: LiveServer, tokens: Tokens) -> None:
    alice = client(live, tokens.alice)
    alice.post("/escalations", json={"title": "t", "customer": "c"})
    for path in ("/events", "/escalations/ESC-1/events"):
        for name in ("since", "limit"):
            answer = alice.get(path, params={name: str(2**64)})
            assert answer.status_code == 422, answer.text
            assert answer.json()["field"] == name
    naive = alice.get("/escalations/ESC-1", params={"as_of": "2026-11-24T10:00:00"})
    assert naive.status_code == 422 and naive.json()["field"] == "as_of"
    assert "timezone" in naive.json()["error"]
    note = alice.post("/commands", json={"type": "note", "incident_id": "ESC-1", "text": "x",
                                         "at": "2026-11-24T10:00:00"})
    assert note.status_code == 422 and note.json()["field"] == "at"
    commit = alice.post("/commands", json={"type": "commit", "incident_id": "ESC-1",
                                           "text": "x", "due_at": "2099-01-01T10:00:00"})
    assert commit.status_code == 422 and commit.json()["field"] == "due_at"


def test_a_draft_for_an_unknown_escalation_is_404(live: LiveServer, tokens: Tokens) -> None:
    alice = client(live, tokens.alice)
    answer = alice.put("/escalations/ESC-404/draft", json={"body": "x"})
    assert answer.status_code == 404 and "ESC-404" in answer.json()["error"]


def test_openapi_documents_the_error_answers_and_docs_are_offline(
        live: LiveServer, tokens: Tokens) -> None:
    anonymous = client(live, None)
    schema = anonymous.get(live.url + "/openapi.json").json()
    assert "ErrorBody" in schema["components"]["schemas"]
    for path, operations in schema["paths"].items():
        if not path.startswith("/api/v1/") or path.endswith("/healthz"):
            continue
        for method, operation in operations.items():
            for status in ("400", "401", "403", "404", "409", "413", "422"):
                answer = operation["responses"][status]
                assert answer["content"]["application/json"]["schema"] == {
                    "$ref": "#/components/schemas/ErrorBody"}, (path, method, status)
    page = anonymous.get(live.url + "/docs")
    assert page.status_code == 200
    urls = re.findall(r"""(?:src|href|url)\s*[=:]\s*['"]([^'"]+)['"]""", page.text)
    assert urls and not [u for u in urls if re.match(r"(https?:)?//", u)], urls
    for url in urls:
        asset = anonymous.get(live.url + url)
        assert asset.status_code == 200 and len(asset.content) > 100, url
