"""The import contracts in pyproject.toml hold (layers, a pure domain, only the store speaks SQL,
the console never loads the server): `.ci/run` runs `lint-imports` too; here it also runs with
the tests, so a change that breaks a contract (or adds a top-level module without a layer)
fails before it lands."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept() -> None:
    tool = Path(sys.executable).with_name("lint-imports")  # import-linter, a dev dependency
    out = subprocess.run([str(tool), "--no-cache"], cwd=ROOT, capture_output=True, text=True,
                         timeout=120)
    assert out.returncode == 0, out.stdout[-4000:] + out.stderr[-2000:]
