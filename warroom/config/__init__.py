"""Configuration: the packaged default policy merged with the user's file, validated strictly.

`config/default.toml` documents every key. Each top-level table is a section with its own
pydantic model in `warroom.config.schema` (field names are the file's keys, so an error's
location is the key path the user wrote); `validate` maps the result onto the domain's `Policy`.
The validated result is cached by the files' content (`load`), so start-up normally decodes it
with msgspec and never imports pydantic. `edit` writes user files with tomli-w.

Every problem is one `ConfigError` line: `FILE[:LINE]: KEY.PATH: problem`.
"""

from warroom.config.files import default_config_path, find_user_config, write_user_config
from warroom.config.load import load_config
from warroom.config.model import Config, ConfigError, ConsoleSettings, RemoteSettings

__all__ = [
    "Config",
    "ConfigError",
    "ConsoleSettings",
    "RemoteSettings",
    "default_config_path",
    "find_user_config",
    "load_config",
    "write_user_config",
]
