"""`[roles.NAME]` and `[rights]`: who does what, and which roles hold each decision right."""

from __future__ import annotations

from typing import Annotated

from pydantic import AfterValidator, Field

from warroom.config.schema.base import Section, names, problem, problem_at

ANYONE = "anyone"
"""The pseudo-role in `[rights]` that every person holds."""


class RoleEntry(Section):
    """`[roles.NAME]`: shown in the console's facilitation guide."""

    title: str
    duties: list[str] = Field(default_factory=list)


def _roles(table: dict[str, RoleEntry]) -> dict[str, RoleEntry]:
    if "incident_commander" not in table:
        raise problem("the incident_commander role is required")
    if ANYONE in table:
        raise problem_at((ANYONE,), f"{ANYONE!r} is reserved (it means every person in [rights])")
    return table


Roles = Annotated[dict[str, RoleEntry], AfterValidator(_roles)]
"""The roles; `incident_commander` is required."""

Rights = dict[str, list[str]]
"""`[rights]`: decision right -> the roles holding it (`anyone` = every person)."""


def check_rights(rights: Rights, roles: dict[str, RoleEntry], known: set[str] | None) -> None:
    """Every right is one warroom knows (`known`; None: any) and names defined roles."""
    for right, holders in rights.items():
        if known is not None and right not in known:
            raise problem_at(("rights", right), f"unknown decision right {right!r} (known: "
                             f"{', '.join(sorted(known))})")
        for index, role in enumerate(holders):
            if role != ANYONE and role not in roles:
                raise problem_at(("rights", right, index), f"unknown role {role!r} (known: "
                                 f"{names(roles)}, or {ANYONE!r})", role)
