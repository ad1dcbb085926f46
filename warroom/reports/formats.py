"""What every report renders alike: pretty JSON, and picking the renderer a format names."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import Any

Renderer = Callable[[dict[str, Any]], str]


def render_json(doc: dict[str, Any]) -> str:
    """Pretty JSON with a trailing newline."""
    return json.dumps(doc, indent=2, ensure_ascii=False) + "\n"


def render_as(doc: dict[str, Any], fmt: str, renderers: Mapping[str, Renderer]) -> str:
    """`doc` rendered by the renderer of `fmt`; ValueError naming the formats otherwise."""
    render = renderers.get(fmt)
    if render is None:
        *others, last = renderers
        raise ValueError(f"unknown format {fmt!r} (choose {', '.join(others)} or {last})")
    return render(doc)
