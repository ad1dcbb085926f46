"""`[hooks.*]` in the config file: defaults with no config, overrides, and errors with the key."""

from __future__ import annotations

from pathlib import Path

import pytest

from warroom.config import ConfigError, load_config


def test_hooks_need_no_config() -> None:
    hooks = load_config().file.hooks
    assert hooks.alertmanager.labels.customer == "customer"
    assert hooks.pagerduty.secret_env == "WARROOM_PAGERDUTY_SECRET"
    assert hooks.generic.default_customer is None


def test_hooks_are_configured_in_the_user_file(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[hooks.alertmanager]\ndefault_customer = "Internal"\n'
                    '[hooks.alertmanager.labels]\ncustomer = "tenant"\n'
                    '[hooks.pagerduty.services]\nPF9KMXH = "Northwind Bank"\n')
    hooks = load_config(path).file.hooks
    assert hooks.alertmanager.default_customer == "Internal"
    assert hooks.alertmanager.labels.customer == "tenant"
    assert hooks.alertmanager.labels.component == "component"
    assert hooks.pagerduty.services == {"PF9KMXH": "Northwind Bank"}


def test_an_unknown_hook_key_names_file_line_and_key(tmp_path: Path) -> None:
    path = tmp_path / "config.toml"
    path.write_text('[hooks.pagerduty]\nsecret = "inline secrets are not allowed"\n')
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    assert caught.value.key == "hooks.pagerduty.secret"
    assert caught.value.line == 2
    assert "unknown" in caught.value.problem
