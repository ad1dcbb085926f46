"""Locate the data folders (`config/`, `themes/`) that ship with warroom.

An installed wheel carries them as `warroom/_data/<name>` (hatchling force-include). A source
checkout or an editable install imports `warroom` from the repository, where `_data` does not
exist, so the repository's top-level `<name>/` folder is used instead.
"""

from __future__ import annotations

from pathlib import Path

_PACKAGE_DIR = Path(__file__).resolve().parent


def locate(package_dir: Path, name: str) -> Path:
    """`package_dir/_data/<name>` if it is a directory, else `<name>/` beside the package.

    Raises:
        FileNotFoundError: neither folder exists.
    """
    packaged = package_dir / "_data" / name
    if packaged.is_dir():
        return packaged
    checkout = package_dir.parent / name
    if checkout.is_dir():
        return checkout
    raise FileNotFoundError(f"warroom data folder {name!r} not found (looked in {packaged} "
                            f"and {checkout})")


def resource_dir(name: str) -> Path:
    """The folder of packaged data called `name` (`config` or `themes`)."""
    return locate(_PACKAGE_DIR, name)
