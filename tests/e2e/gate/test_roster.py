"""The roster: authorized_keys lines naming people, read the way asyncssh reads them."""

from __future__ import annotations

import asyncssh
import pytest

from warroom.gate.roster import (
    identity_from_options,
    load_roster,
    parse_roster,
    split_options,
)


@pytest.fixture(scope="module")
def keys() -> list[str]:
    return [asyncssh.generate_private_key("ssh-ed25519").export_public_key().decode().strip()
            for _ in range(4)]


def test_person_and_readonly_options(keys: list[str]) -> None:
    roster = parse_roster(
        f'warroom-person="dana" {keys[0]} dana@laptop\n'
        f'warroom-person="exec.bo",warroom-readonly {keys[1]}\n'
        f'environment="WARROOM_USER=sam",from="10.0.0.0/8" {keys[2]}\n'
        f'environment="WARROOM_USER=kim",environment="WARROOM_READONLY=1" {keys[3]}\n')
    assert roster.problems == []
    assert [(e.person, e.read_only, e.line) for e in roster.entries] == [
        ("dana", False, 1), ("exec.bo", True, 2), ("sam", False, 3), ("kim", True, 4)]
    assert roster.people() == ["dana", "exec.bo", "kim", "sam"]
    assert roster.summary() == "4 keys for 4 people"
    assert all(e.fingerprint.startswith("SHA256:") for e in roster.entries)


def test_bad_lines_are_reported_and_skipped(keys: list[str]) -> None:
    roster = parse_roster(
        "# comment\n\n"
        f"{keys[0]}\n"  # names nobody
        f'warroom-person="root user" {keys[1]}\n'  # not a valid name
        f'cert-authority,warroom-person="ca" {keys[2]}\n'
        'warroom-person="x" ssh-ed25519 not-base64\n'
        f'warroom-person="unbalanced {keys[3]}\n'
        f'warroom-person="dana" {keys[3]}\n'
        f'warroom-person="dana2" {keys[3]}\n'  # same key again
        f'command="rm -rf /",warroom-person="eve" {keys[0]}\n')
    assert [(e.person, e.line) for e in roster.entries] == [("dana", 8), ("eve", 10)]
    text = "\n".join(roster.problems)
    for expected in ("line 3: names no valid person", "line 4: names no valid person",
                     "line 5: cert-authority is not supported", "line 6: not a public key",
                     "line 7: unbalanced quote", "line 9: key already listed on line 8",
                     "line 10: command= is ignored"):
        assert expected in text


def test_missing_file_refuses_everyone(tmp_path) -> None:  # type: ignore[no-untyped-def]
    roster = load_roster(tmp_path / "nope")
    assert roster.entries == [] and roster.authorized_keys() is None
    assert "no such file" in roster.problems[0]


def test_split_options_quoting() -> None:
    options, rest = split_options('a="x, y",b=\\"q,c ssh-ed25519 AAAA comment')
    assert options == ["a=x, y", 'b="q', "c"]
    assert rest == "ssh-ed25519 AAAA comment"


def test_identity_prefers_person_option() -> None:
    options = {"warroom-person": ["dana"], "environment": {"WARROOM_USER": "sam"}}
    assert identity_from_options(options) == ("dana", False)
    assert identity_from_options({"environment": {"WARROOM_USER": "sam"}}) == ("sam", False)
    assert identity_from_options({"warroom-person": ["a b"]}) == (None, False)
    assert identity_from_options({"warroom-person": ["x"], "warroom-readonly": True}) == ("x", True)


def test_asyncssh_reads_the_same_options(keys: list[str]) -> None:
    """What the gate reads at login comes from asyncssh's own parse of the accepted lines."""
    roster = parse_roster(f'warroom-person="dana",warroom-readonly {keys[0]}\n')
    authorized = roster.authorized_keys()
    key = asyncssh.import_public_key(keys[0])
    options = authorized.validate(key, "localhost", "127.0.0.1")
    assert options is not None
    assert identity_from_options(options) == ("dana", True)
    other = asyncssh.import_public_key(keys[1])
    assert authorized.validate(other, "localhost", "127.0.0.1") is None
