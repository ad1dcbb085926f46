"""`warroom config set | get | init --minimal` through the real entry point (child processes)."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

from warroom import paths


def warroom(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "warroom", *args], capture_output=True,
                          text=True, timeout=60, check=False, env=env or dict(os.environ))


def ok(*args: str) -> str:
    done = warroom(*args)
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


def test_set_writes_the_xdg_file_and_get_reads_the_effective_value() -> None:
    target = paths.user_config_path()
    assert ok("config", "get", "console.theme") == "warroom-dark"
    assert ok("config", "set", "console.theme", "light") == \
        f"{target}: console.theme = warroom-light"
    assert tomllib.loads(target.read_text()) == {"console": {"theme": "warroom-light"}}
    assert ok("config", "set", "severities.P1.resolve", "12h").endswith("= 12h")
    assert ok("config", "set", "sla.at_risk", "0.3").endswith("= 0.3")
    assert ok("config", "set", "rights.resolve", '["incident_commander", "tech_lead"]')
    assert tomllib.loads(target.read_text()) == {
        "console": {"theme": "warroom-light"},
        "severities": {"P1": {"resolve": "12h"}},
        "sla": {"at_risk": 0.3},
        "rights": {"resolve": ["incident_commander", "tech_lead"]},
    }
    assert ok("config", "get", "console.theme") == "warroom-light"
    assert ok("config", "get", "severities.P1.resolve") == "12h"
    assert ok("config", "get", "severities.P0.resolve") == "4h"  # the default's, unchanged
    assert ok("config", "get", "sla.at_risk") == "0.3"
    assert ok("config", "get", "rights.resolve") == '["incident_commander", "tech_lead"]'
    assert ok("config", "get", "triage_rules[0].name") == "data-loss-or-security"
    assert 'resolve = "12h"' in ok("config", "get", "severities.P1").splitlines()


@pytest.mark.parametrize(("key", "value", "message"), [
    ("console.theme", "nosuch", "console.theme: unknown theme 'nosuch'"),
    ("severities.P1.resolv", "12h", ": severities.P1.resolv: unknown key (known: label,"),
    ("severities.P1.resolve", "soon", ": severities.P1.resolve: bad duration 'soon'"),
    ("sla.at_risk", "2", ": sla.at_risk: must be less than 1"),
    ("rights.resolve", '["boss"]', ": rights.resolve[0]: unknown role 'boss'"),
    ("console.theme.dark", "x", ": console.theme: is a value, not a table"),
    ("triage_rules[0].name", "x", ": triage_rules[0].name: list items cannot be set one by one"),
    ("console..theme", "x", "key: bad key path"),
])
def test_a_bad_key_or_value_exits_2_and_leaves_the_file_untouched(
        tmp_path: Path, key: str, value: str, message: str) -> None:
    target = tmp_path / "mine.toml"
    original = '# my notes\n[console]\ntheme = "warroom-dark"\n'
    target.write_text(original)
    done = warroom("--config", str(target), "config", "set", key, value)
    assert done.returncode == 2, done.stdout
    assert done.stderr.count("\n") == 1 and message in done.stderr, done.stderr
    assert done.stderr.startswith(f"warroom: {target}:") or "console.theme:" in message \
        or "key:" in message
    assert target.read_text() == original


def test_set_keeps_values_drops_comments_and_keeps_permissions(tmp_path: Path) -> None:
    target = tmp_path / "mine.toml"
    target.write_text('# my notes\n[remote]\ntoken = "s3cret"\n')
    target.chmod(0o600)
    ok("--config", str(target), "config", "set", "console.user", "maria.chen")
    assert tomllib.loads(target.read_text()) == {
        "remote": {"token": "s3cret"}, "console": {"user": "maria.chen"}}
    assert "# my notes" not in target.read_text()
    assert target.stat().st_mode & 0o777 == 0o600
    assert ok("--config", str(target), "config", "get", "console.user") == "maria.chen"


def test_get_unknown_key_exits_2() -> None:
    done = warroom("config", "get", "console.thme")
    assert done.returncode == 2
    assert done.stderr.strip() == \
        "warroom: console.thme: no such key in console (known: theme, user)"


def test_set_help_says_comments_are_not_kept() -> None:
    text = " ".join(ok("config", "set", "--help").split())
    assert "comments in it are not kept" in text


def test_init_minimal_writes_a_short_validated_file(tmp_path: Path) -> None:
    target = tmp_path / "short.toml"
    out = ok("--as", "maria.chen", "config", "init", "--minimal", "--path", str(target),
             "--set", "console.theme=high-contrast", "--set", "severities.P1.resolve=12h")
    assert out == str(target)
    assert tomllib.loads(target.read_text()) == {
        "console": {"theme": "warroom-high-contrast", "user": "maria.chen"},
        "severities": {"P1": {"resolve": "12h"}},
    }
    assert len(target.read_text().splitlines()) < 10
    assert ok("--config", str(target), "config", "check").startswith("ok")
    assert ok("--config", str(target), "config", "get", "severities.P1.resolve") == "12h"
    again = warroom("config", "init", "--minimal", "--path", str(target))
    assert again.returncode == 2 and "already exists" in again.stderr
    bad = warroom("config", "init", "--minimal", "--force", "--path", str(target),
                  "--set", "sla.at_rsk=0.3")
    assert bad.returncode == 2 and f"{target}: sla.at_rsk: unknown key" in bad.stderr
    assert tomllib.loads(target.read_text())["severities"] == {"P1": {"resolve": "12h"}}


def test_init_full_copy_still_keeps_its_comments(tmp_path: Path) -> None:
    target = tmp_path / "full.toml"
    ok("config", "init", "--path", str(target))
    assert target.read_text().startswith("# warroom configuration")
