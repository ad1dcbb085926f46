"""`warroom config init | path | check`."""

from __future__ import annotations

import argparse
from pathlib import Path

from warroom.cli.context import Context


def run_config(ctx: Context, args: argparse.Namespace) -> int:
    """Write, locate or validate the user configuration."""
    from warroom.config import write_user_config
    from warroom.paths import user_config_path

    if args.config_verb == "init":
        path = write_user_config(Path(args.path) if args.path else None, force=args.force)
        print(path)
    elif args.config_verb == "path":
        print(user_config_path())
    else:
        policy = ctx.config.policy
        print(f"ok: {len(policy.roles)} roles, {len(policy.rights)} rights, "
              f"{len(policy.templates)} templates, {len(policy.triage_rules)} triage rules")
    return 0
