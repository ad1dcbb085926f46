"""The slow path: parse, merge and validate the files with pydantic (on a cache miss only).

Every problem becomes one `ConfigError`: the file, the line (found in the text, as tomllib gives
none), the key path spelled by `warroom.domain.errors.location`, and what is wrong.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ValidationError

from warroom.config.files import decode, merge
from warroom.config.model import ConfigError, Validated
from warroom.config.schema import ConfigFile
from warroom.domain.errors import location
from warroom.domain.policy import (
    Calendar,
    Customer,
    CustomerTier,
    Person,
    Policy,
    RoleInfo,
    SeverityPolicy,
    Template,
    TriageRule,
)
from warroom.domain.validation import first_problem, known_fields
from warroom.tomlkeys import line_of


def validate(files: Sequence[tuple[Path, bytes]]) -> Validated:
    """The files (packaged default first) merged and validated; raises ConfigError."""
    merged: dict[str, Any] = {}
    known: set[str] | None = None
    text = ""
    for index, (path, raw) in enumerate(files):
        text, data = decode(path, raw)
        merged = merge(merged, data, path, text=text) if index else data
        if index == 0 and len(files) > 1:
            known = set(data.get("rights", {}))
    blame = files[-1][0]
    try:
        model = ConfigFile.model_validate(merged, context={"known_rights": known})
    except ValidationError as exc:
        raise explain(exc, blame, text, ConfigFile) from None
    return Validated(policy=to_policy(model), data=model.model_dump(mode="json"))


def explain(exc: ValidationError, path: Path, text: str, root: type[BaseModel]) -> ConfigError:
    """pydantic's first problem as a ConfigError naming the file, line and key path."""
    error = exc.errors(include_url=False)[0]
    problem = first_problem(exc)[1]
    loc = tuple(p for p in error["loc"] if isinstance(p, int) or "[" not in p or p == "[key]")
    if loc and loc[-1] == "[key]":
        loc = loc[:-1]
        problem = f"bad table name {loc[-1]!r}: {problem.removeprefix('bad key: ')}"
    elif error["type"] == "extra_forbidden":
        known = known_fields(root, loc[:-1])
        problem = "unknown key" + (f" (known: {', '.join(known)})" if known else "")
    elif error["type"] == "missing":
        problem = "missing (this key is required)"
    elif isinstance(error["input"], str | int | float | bool) and "got " not in problem \
            and error["type"] != "config":
        problem += f" (got {error['input']!r})"
    return ConfigError(path, location(loc) or None, problem,
                       line=line_of(text, loc) if loc else None)


def to_policy(model: ConfigFile) -> Policy:
    """The domain's view of a validated file."""
    return Policy(
        at_risk_fraction=model.sla.at_risk,
        backdate_limit=model.sla.backdate_limit,
        severities={s: SeverityPolicy(**t.model_dump()) for s, t in model.severities.items()},
        calendars={n: Calendar(**c.model_dump()) for n, c in model.calendars.items()},
        triage_rules=[TriageRule(**r.model_dump()) for r in model.triage_rules],
        roles={n: RoleInfo(**r.model_dump()) for n, r in model.roles.items()},
        rights={r: list(holders) for r, holders in model.rights.items()},
        templates=[Template(name=n, **t.model_dump()) for n, t in model.templates.items()],
        tiers={n: CustomerTier(**t.model_dump()) for n, t in model.tiers.items()},
        customers={n: Customer(**c.model_dump()) for n, c in model.customers.items()},
        recurrence_window=model.recurrence.window,
        flag_due=model.recurrence.flag_due,
        people={n: Person(**p.model_dump()) for n, p in model.people.items()},
        teams=list(model.teams),
    )
