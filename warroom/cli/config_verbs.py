"""`warroom config init | path | check | set | get`."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

from warroom.cli.context import Context


def user_file(ctx: Context) -> Path:
    """The file `config set` writes: `--config FILE`, `$WARROOM_CONFIG`, else the XDG file."""
    from warroom.config import find_user_config
    from warroom.paths import user_config_path

    return find_user_config(ctx.config_path) or user_config_path()


def run_config(ctx: Context, args: argparse.Namespace) -> int:
    """Write, locate, validate, change or read the user configuration."""
    from warroom.config import write_user_config
    from warroom.paths import user_config_path

    if args.config_verb == "init":
        target = Path(args.path).expanduser() if args.path else user_config_path()
        if args.minimal:
            _init_minimal(ctx, target, args.overrides, args.force)
        elif args.overrides:
            from warroom.domain.errors import InvalidInput

            raise InvalidInput("--set", "only with --minimal (the full copy keeps its comments)")
        else:
            write_user_config(target, force=args.force)
        print(target)
    elif args.config_verb == "path":
        print(user_config_path())
    elif args.config_verb == "set":
        _set(ctx, args.key, args.value)
    elif args.config_verb == "get":
        from warroom.config.edit import get_value, show

        print(show(get_value(ctx.config, args.key)))
    else:
        policy = ctx.config.policy
        print(f"ok: {len(policy.roles)} roles, {len(policy.rights)} rights, "
              f"{len(policy.templates)} templates, {len(policy.triage_rules)} triage rules")
    return 0


def _set(ctx: Context, key: str, text: str) -> None:
    from warroom.config.edit import parse_key, parse_value, set_value, show

    value = parse_value(text)
    if parse_key(key) == ("console", "theme"):
        value = theme_name(str(value))
    target = user_file(ctx)
    set_value(target, key, value)
    print(f"{target}: {key} = {show(value)}")


def theme_name(name: str) -> str:
    """The registered name of theme `name` (packaged, user folders or Textual's), or
    InvalidInput listing the known ones."""
    from textual.theme import BUILTIN_THEMES

    from warroom.domain.errors import InvalidInput
    from warroom.themes import load_themes, resolve_name, theme_dir

    known = [t.name for t in load_themes(theme_dir(), *theme_dirs()).themes]
    found = resolve_name(name, [*known, *BUILTIN_THEMES])
    if found is None:
        raise InvalidInput("console.theme", f"unknown theme {name!r} (known: "
                           f"{', '.join(sorted(known))}, or a Textual theme)")
    return found


def theme_dirs() -> list[Path]:
    """The user's own theme folders (they override packaged themes of the same name)."""
    from warroom.paths import config_dir, data_dir

    return [config_dir() / "themes", data_dir() / "themes"]


def _init_minimal(ctx: Context, target: Path, overrides: list[str], force: bool) -> None:
    from warroom.cli.context import default_actor
    from warroom.config import ConfigError
    from warroom.config.edit import minimal, nest, parse_key, parse_value
    from warroom.domain.errors import InvalidInput

    try:
        user = ctx.actor
    except ConfigError:  # replacing a broken file (--force) must still work
        user = default_actor()
    data: dict[str, Any] = {"console": {"theme": "warroom-dark", "user": user}}
    for item in overrides:
        key, equals, text = item.partition("=")
        if not equals:
            raise InvalidInput("--set", f"expected KEY=VALUE, got {item!r}")
        path = parse_key(key)
        value = parse_value(text)
        if path == ("console", "theme"):
            value = theme_name(str(value))
        nest(data, path, value, target)
    minimal(target, data, force=force)
