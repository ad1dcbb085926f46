"""The validated config is cached by the files' content: a hit needs no pydantic."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from warroom import paths
from warroom.config import ConfigError, load_config
from warroom.config import load as config_load
from warroom.domain.models import Severity


def cache_files() -> list[Path]:
    return sorted(paths.cache_dir().glob("config-*.msgpack"))


@pytest.fixture(autouse=True)
def _fresh_memo() -> None:
    """Each test starts as a fresh process would: only the disk cache is shared."""
    config_load._MEMO.clear()


def test_a_miss_validates_and_writes_one_cache_file(tmp_path: Path) -> None:
    user = tmp_path / "config.toml"
    user.write_text('[severities.P1]\nresolve = "12h"\n')
    assert cache_files() == []
    config = load_config(user)
    [first] = cache_files()
    config_load._MEMO.clear()
    again = load_config(user)
    assert again is not config and again == config
    assert again.policy.severities[Severity.P1].resolve.total_seconds() == 12 * 3600
    assert cache_files() == [first]


def test_the_cache_file_is_private_and_round_trips_every_section(tmp_path: Path) -> None:
    user = tmp_path / "config.toml"
    user.write_text('[remote]\nurl = "https://w.example"\ntoken = "s3cret"\n')
    config = load_config(user)
    [cached] = cache_files()
    assert cached.stat().st_mode & 0o777 == 0o600
    from warroom.config.files import default_config_path, merge, read
    from warroom.config.schema import ConfigFile

    merged = merge(read(default_config_path()), read(user), user)
    assert config.file == ConfigFile.model_validate(merged)  # nothing lost through the cache
    assert config.remote.token == "s3cret"


def test_changed_content_misses_and_replaces_the_file(tmp_path: Path) -> None:
    user = tmp_path / "config.toml"
    user.write_text('[console]\ntheme = "warroom-light"\n')
    assert load_config(user).console.theme == "warroom-light"
    [before] = cache_files()
    config_load._MEMO.clear()
    user.write_text('[console]\ntheme = "warroom-high-contrast"\n')
    assert load_config(user).console.theme == "warroom-high-contrast"
    [after] = cache_files()
    assert after != before


def test_a_bad_file_is_never_cached(tmp_path: Path) -> None:
    user = tmp_path / "config.toml"
    user.write_text("[sla]\nat_risk = 2\n")
    for _ in range(2):
        with pytest.raises(ConfigError, match=r"sla\.at_risk"):
            load_config(user)
    assert cache_files() == []


def test_a_corrupt_cache_file_is_a_miss(tmp_path: Path) -> None:
    load_config()
    [cached] = cache_files()
    cached.write_bytes(b"\xc1 not msgpack")
    config_load._MEMO.clear()
    assert load_config().policy.severities[Severity.P0].resolve.total_seconds() == 4 * 3600
    assert cached.read_bytes() != b"\xc1 not msgpack"


PROBE = """
import json, sys
from warroom.config import load_config
config = load_config()
print(json.dumps({"pydantic": "pydantic" in sys.modules, "theme": config.console.theme,
                  "resolve": str(config.policy.severities["P1"].resolve)}))
"""


def run_probe(env: dict[str, str]) -> dict[str, object]:
    done = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                          env=env, check=True, timeout=60)
    result: dict[str, object] = json.loads(done.stdout)
    return result


def test_a_hit_in_a_new_process_never_imports_pydantic(tmp_path: Path) -> None:
    user = paths.user_config_path()
    user.parent.mkdir(parents=True)
    user.write_text('[console]\ntheme = "warroom-light"\n[severities.P1]\nresolve = "12h"\n')
    env = dict(os.environ)
    cold = run_probe(env)
    assert cold == {"pydantic": True, "theme": "warroom-light", "resolve": "12:00:00"}
    warm = run_probe(env)
    assert warm == {"pydantic": False, "theme": "warroom-light", "resolve": "12:00:00"}
    user.write_text('[console]\ntheme = "warroom-dark"\n')
    assert run_probe(env)["pydantic"] is True
