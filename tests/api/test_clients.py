"""Every CLI verb against a server behaves as against the file; one file shared by processes."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import pytest

from tests.api.helpers import LiveServer, Tokens, Watcher, wait_until
from warroom.cli import run
from warroom.store.sqlite import SqliteStore


def cli(capsys: pytest.CaptureFixture[str], *args: str) -> tuple[int, str, str]:
    capsys.readouterr()
    code = run(list(args))
    out, err = capsys.readouterr()
    return code, out, err


def test_cli_verbs_against_the_server_match_the_file(
        live: LiveServer, tokens: Tokens, store_path: Path,
        capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("WARROOM_TOKEN", tokens.alice)
    url = live.url
    code, out, err = cli(capsys, "--store", url, "open", "Checkout down", "--customer", "Acme",
                         "--impact", "outage")
    assert code == 0, err
    assert "ESC-1" in out
    for args in (["triage", "ESC-1", "--severity", "P1", "--reason", "outage"],
                 ["assign", "ESC-1", "customer_spoc", "bob"],
                 ["note", "ESC-1", "failover started"],
                 ["phase", "ESC-1", "identified"]):
        code, out, err = cli(capsys, "--store", url, *args)
        assert code == 0, err
    # refusals keep their exit statuses: 2 bad input / not found, 3 refused or right missing
    assert cli(capsys, "--store", url, "note", "ESC-9", "x")[0] == 2
    assert cli(capsys, "--store", url, "close", "ESC-1")[0] == 3
    monkeypatch.setenv("WARROOM_TOKEN", tokens.bob)
    code, _, err = cli(capsys, "--store", url, "severity", "ESC-1", "P0", "--reason", "r")
    assert code == 3 and "set_severity" in err and "alice" in err
    monkeypatch.setenv("WARROOM_TOKEN", tokens.alice)

    as_of = datetime.now(UTC).isoformat()
    for verb in (["status", "ESC-1", "--json", "--as-of", as_of], ["log", "ESC-1", "--json"]):
        remote = cli(capsys, "--store", url, *verb)
        local = cli(capsys, "--store", str(store_path), *verb)
        assert remote[0] == local[0] == 0, remote[2] + local[2]
        assert json.loads(remote[1]) == json.loads(local[1])
    remote_list = json.loads(cli(capsys, "--store", url, "list", "--json")[1])
    assert [d["id"] for d in remote_list] == ["ESC-1"]


def test_cli_without_a_token_is_told_how_to_get_one(
        live: LiveServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, _, err = cli(capsys, "--store", live.url, "list")
    assert code != 0
    assert "WARROOM_TOKEN" in err


def test_processes_sharing_one_file_see_each_other_within_a_second(
        store_path: Path, tokens: Tokens) -> None:
    store = SqliteStore(store_path)
    watcher = Watcher(store)
    env = {**os.environ, "WARROOM_USER": "alice"}
    try:
        def warroom(*args: str) -> None:
            done = subprocess.run([sys.executable, "-m", "warroom", "--store", str(store_path),
                                   *args], env=env, capture_output=True, text=True, timeout=60)
            assert done.returncode == 0, done.stderr

        warroom("open", "Shared", "--customer", "Acme")
        for i in range(3):
            warroom("note", "ESC-1", f"from process {i}")
        wait_until(lambda: len(watcher.events) == 4, timeout=15, what="events from the CLI")
        seen_at = time.time()
        lag = seen_at - watcher.events[-1].recorded_at.timestamp()
        assert lag < 1.0
        # each event arrived well within a second of being stored (checked as they arrived)
        assert [e.seq for e in watcher.events] == [1, 2, 3, 4]
    finally:
        watcher.stop()
        store.close()


def test_tls(store_path: Path, policy: object, tokens: Tokens, tmp_path: Path) -> None:
    pytest.importorskip("cryptography")
    import ipaddress
    from datetime import timedelta

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    from warroom.store.http import HttpStore
    from warroom.store.outbox import Outbox

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = datetime.now(UTC)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name)
            .public_key(key.public_key()).serial_number(x509.random_serial_number())
            .not_valid_before(now - timedelta(minutes=1)).not_valid_after(now + timedelta(days=1))
            .add_extension(x509.SubjectAlternativeName(
                [x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), critical=False)
            .sign(key, hashes.SHA256()))
    cert_path, key_path = tmp_path / "cert.pem", tmp_path / "key.pem"
    cert_path.write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    key_path.write_bytes(key.private_bytes(serialization.Encoding.PEM,
                                           serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    server = LiveServer(store_path, policy, tls=(cert_path, key_path)).start()  # type: ignore[arg-type]
    store = HttpStore(server.url, tokens.alice, outbox=Outbox(tmp_path / "o.db"),
                      verify=str(cert_path))
    try:
        assert server.url.startswith("https://")
        assert store.me()["person"] == "alice"
        untrusted = HttpStore(server.url, tokens.alice, outbox=Outbox(tmp_path / "u.db"))
        with pytest.raises(Exception, match="cannot reach"):
            untrusted.me()
        untrusted.close()
    finally:
        store.close()
        server.stop()
