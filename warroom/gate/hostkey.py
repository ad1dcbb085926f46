"""The SSH gate's host key: generated once, then kept, so clients' known_hosts stay valid."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

import asyncssh


def default_host_key_path() -> Path:
    """`ssh_host_key` in the data directory."""
    from warroom.paths import data_dir

    return data_dir() / "ssh_host_key"


def load_or_create_host_key(path: str | Path) -> tuple[asyncssh.SSHKey, bool]:
    """The server's host key, generated (ed25519, mode 0600) the first time; (key, created)."""
    path = Path(path)
    if path.exists():
        return asyncssh.read_private_key(path), False
    path.parent.mkdir(parents=True, exist_ok=True, mode=0o700)
    key = asyncssh.generate_private_key("ssh-ed25519", comment="warroom ssh gate")
    tmp = path.with_name(path.name + ".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(key.export_private_key())
    try:
        os.link(tmp, path)  # never replaces a key another process just wrote
    except FileExistsError:
        tmp.unlink()
        return asyncssh.read_private_key(path), False
    tmp.unlink()
    with contextlib.suppress(OSError):
        path.with_name(path.name + ".pub").write_bytes(key.export_public_key())
    return key, True
