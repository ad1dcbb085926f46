"""Config and theme loading: cold (nothing cached: TOML + pydantic validation) and warm (the
validated result decoded from the cache with msgspec, no pydantic).

Run: `uv run python bench/bench_config.py [--runs 9]`

Each figure is the median over fresh child processes of the time from `import warroom.config`
to a loaded `Config` (packaged default plus a short user file), and from `import warroom.themes`
to the packaged themes loaded; cold runs empty the cache first. What the console imports anyway
(Textual, msgspec, the domain's records, platformdirs) is imported before the clock starts.
Also printed: whether pydantic was imported, and the import cost of pydantic alone for scale.
`bench_console.py` shows the effect on the console's first frame.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

PROBE = """
import json, sys, time
import msgspec, platformdirs, textual.theme, warroom.domain.policy  # the console loads these anyway
t0 = time.perf_counter()
from warroom.config import load_config
config = load_config()
t1 = time.perf_counter()
from warroom.themes import load_themes, theme_dir
themes = load_themes(theme_dir())
t2 = time.perf_counter()
assert config.console.theme == "warroom-light" and len(themes.themes) == 4
print(json.dumps({"config": t1 - t0, "themes": t2 - t1, "pydantic": "pydantic" in sys.modules}))
"""

PYDANTIC = """
import json, time
t0 = time.perf_counter()
import pydantic
print(json.dumps({"import": time.perf_counter() - t0}))
"""


def run(code: str, env: dict[str, str]) -> dict[str, float]:
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, env=env,
                          cwd=ROOT, check=True, timeout=120)
    result: dict[str, float] = json.loads(done.stdout)
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=9)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmpdir:
        tmp = Path(tmpdir)
        env = dict(os.environ)
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env.pop("WARROOM_CONFIG", None)
        env.update(XDG_CONFIG_HOME=str(tmp / "config"), XDG_CACHE_HOME=str(tmp / "cache"),
                   XDG_DATA_HOME=str(tmp / "data"))
        user = tmp / "config" / "warroom" / "config.toml"
        user.parent.mkdir(parents=True)
        user.write_text('[console]\ntheme = "warroom-light"\n[severities.P1]\nresolve = "12h"\n')
        run(PROBE, env)  # warm-up: bytecode, page cache
        cold: list[dict[str, float]] = []
        warm: list[dict[str, float]] = []
        for _ in range(args.runs):  # interleaved, so machine noise hits both alike
            shutil.rmtree(tmp / "cache", ignore_errors=True)
            cold.append(run(PROBE, env))
            warm.append(run(PROBE, env))
        pydantic = statistics.median(run(PYDANTIC, env)["import"] for _ in range(args.runs))

    def median(rows: list[dict[str, float]], key: str) -> float:
        return 1000 * statistics.median(row[key] for row in rows)

    print(f"config and theme loading, median of {args.runs} fresh processes (imports included):")
    for name, rows in (("cold (no cache)", cold), ("warm (cache hit)", warm)):
        imported = "imports pydantic" if all(r["pydantic"] for r in rows) else \
            "no pydantic" if not any(r["pydantic"] for r in rows) else "pydantic sometimes"
        print(f"  {name:17}: config {median(rows, 'config'):6.1f} ms, themes "
              f"{median(rows, 'themes'):6.1f} ms  ({imported})")
    print(f"  for scale: `import pydantic` alone {1000 * pydantic:.1f} ms")


if __name__ == "__main__":
    main()
