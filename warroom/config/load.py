"""`load_config`: the fast path. The validated result is cached by the files' content, so a
console that starts with an unchanged config decodes it with msgspec and never imports pydantic.
"""

from __future__ import annotations

from pathlib import Path

from warroom import filecache
from warroom.config.files import default_config_path, find_user_config, read_bytes
from warroom.config.model import Config, Validated

_PACKAGE = Path(__file__).resolve().parent
_MEMO: dict[str, Config] = {}


def _code() -> list[Path]:
    """The source files whose change could change a validated result."""
    domain = _PACKAGE.parent / "domain"
    return [*sorted(_PACKAGE.rglob("*.py")), *(domain / f"{name}.py" for name in
                                              ("policy", "models", "templates", "timeparse"))]


def load_config(path: Path | None = None) -> Config:
    """The packaged default merged with the user file (see `find_user_config`).

    Raises:
        ConfigError: unreadable file, bad TOML, unknown key, bad value or broken reference.
    """
    user = find_user_config(path)
    files = [default_config_path(), *([user] if user is not None else [])]
    contents = [(file, read_bytes(file)) for file in files]
    key = filecache.cache_key(_code(), [(str(f), raw) for f, raw in contents])
    config = _MEMO.get(key)
    if config is not None:
        return config
    result = filecache.read("config", key, Validated)
    if result is None:
        from warroom.config.validate import validate

        result = validate(contents)
        filecache.write("config", key, result)
    config = _MEMO[key] = Config(policy=result.policy, data=result.data, files=tuple(files))
    return config
