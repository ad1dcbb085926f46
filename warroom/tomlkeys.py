"""Where a key path sits in TOML text: tomllib reports values, not lines, so errors look it up.

`line_of(text, ("severities", "P1", "resolve"))` is the 1-based line that sets that key, or,
when the file does not set it, the line of the closest enclosing table or key that it does
set (a missing key is reported at its table). Understands `[table]`, `[[array.of.tables]]`
(numbered from 0, as in `triage_rules[0]`), dotted and quoted keys, and skips multi-line strings
and arrays. Best effort: None when nothing in the file leads to the key.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

Path = tuple[str | int, ...]

_HEADER = re.compile(r"^\s*(\[\[?)\s*(.+?)\s*\]\]?\s*(?:#.*)?$")
_KEY = re.compile(r"""^\s*((?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')"""
                  r"""(?:\s*\.\s*(?:[A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*'))*)\s*=\s*(.*)$""")
_STRING = re.compile(r'"(?:[^"\\]|\\.)*"|\'[^\']*\'')
_PART = re.compile(r"""\s*([A-Za-z0-9_-]+|"(?:[^"\\]|\\.)*"|'[^']*')\s*(?:\.|$)""")


def split_key(dotted: str) -> list[str]:
    """`a."b c".d` as `["a", "b c", "d"]` (bare, "basic" and 'literal' parts)."""
    parts: list[str] = []
    for match in _PART.finditer(dotted):
        part = match.group(1)
        if part[0] == '"':
            part = part[1:-1].encode().decode("unicode_escape")
        elif part[0] == "'":
            part = part[1:-1]
        parts.append(part)
    return parts


def line_of(text: str, path: Sequence[str | int]) -> int | None:
    """The line setting `path` (or its closest ancestor the text sets), 1-based; or None."""
    want = tuple(path)
    best: tuple[int, int] | None = None  # (how many parts matched, line)
    table: Path = ()
    arrays: dict[Path, int] = {}
    lines = text.splitlines()
    number = 0
    while number < len(lines):
        line = lines[number]
        number += 1
        found: Path | None = None
        header = _HEADER.match(line)
        key = None if header else _KEY.match(line)
        if header:
            names: Path = tuple(split_key(header.group(2)))
            if header.group(1) == "[[":
                index = arrays.get(names, -1) + 1
                arrays[names] = index
                names = (*names, index)
            table = found = names
        elif key:
            found = (*table, *split_key(key.group(1)))
        if found is not None:
            matched = _common(found, want)
            if matched == len(found) and (best is None or matched > best[0]):
                best = (matched, number)
                if matched == len(want):
                    return number
        if key:
            number = _skip_value(lines, number, key.group(2))
    return best[1] if best else None


def _skip_value(lines: list[str], number: int, value: str) -> int:
    """The line number after a value that may continue over several lines."""
    for quote in ('"""', "'''"):
        if value.startswith(quote) and value.count(quote) == 1:
            while number < len(lines) and quote not in lines[number]:
                number += 1
            return number + 1
    depth = _depth(value)
    while depth > 0 and number < len(lines):
        depth += _depth(lines[number])
        number += 1
    return number


def _depth(text: str) -> int:
    """Brackets opened minus closed, outside strings and comments."""
    code = _STRING.sub("", text).split("#")[0]
    return code.count("[") + code.count("{") - code.count("]") - code.count("}")


def _common(found: Path, want: Path) -> int:
    """How many leading parts `found` and `want` share."""
    count = 0
    for a, b in zip(found, want, strict=False):
        if a != b:
            break
        count += 1
    return count
