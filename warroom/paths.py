"""Where warroom keeps its files: the user config, the data directory, the store and the outbox.

Platform directories come from platformdirs (imported lazily), which honours `XDG_CONFIG_HOME`,
`XDG_DATA_HOME` and `XDG_CACHE_HOME` on Linux. Nothing here creates a directory; writers do that.
"""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "warroom"


def config_dir() -> Path:
    """The user's warroom config directory, e.g. `~/.config/warroom`."""
    from platformdirs import user_config_dir

    return Path(user_config_dir(APP_NAME, appauthor=False))


def data_dir() -> Path:
    """The user's warroom data directory, e.g. `~/.local/share/warroom`."""
    from platformdirs import user_data_dir

    return Path(user_data_dir(APP_NAME, appauthor=False))


def cache_dir() -> Path:
    """The user's warroom cache directory, e.g. `~/.cache/warroom` (safe to delete)."""
    from platformdirs import user_cache_dir

    return Path(user_cache_dir(APP_NAME, appauthor=False))


def user_config_path() -> Path:
    """The user config file (`config.toml` in `config_dir()`); it may not exist."""
    return config_dir() / "config.toml"


def default_store_path() -> Path:
    """The local store file: `$WARROOM_STORE` if set, else `warroom.db` in `data_dir()`."""
    override = os.environ.get("WARROOM_STORE")
    if override:
        return Path(override).expanduser()
    return data_dir() / "warroom.db"


def outbox_path() -> Path:
    """The file where commands for an unreachable server wait (`outbox.db` in `data_dir()`)."""
    return data_dir() / "outbox.db"
