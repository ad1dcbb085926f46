"""`teams` and `[people.LOGIN]`: who owns corrective actions and how documents name people."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from warroom.config.schema.base import Section, problem_at
from warroom.domain.policy import DEFAULT_TEAMS
from warroom.domain.recurrence import REQUIRED_RECIPIENTS

TeamName = Annotated[str, Field(min_length=1, pattern=r"^\S(.*\S)?$")]


class PersonEntry(Section):
    """`[people.LOGIN]`: the customer RCA shows `display_name` (never the login); `team` owns
    the corrective actions the person owns. Every name here is also checked by the blameless
    check."""

    display_name: str = ""
    team: str = ""


def default_teams() -> list[str]:
    """`["product", "ops"]`."""
    return list(DEFAULT_TEAMS)


def check_people(people: dict[str, PersonEntry], teams: list[str]) -> None:
    """Patterns can reach product and ops, and every person's team is a configured team."""
    for required in REQUIRED_RECIPIENTS:
        if required not in teams:
            raise problem_at(("teams",), f"must include {required!r} (recurring patterns are "
                             "flagged to product and ops)", teams)
    for login, person in people.items():
        if person.team and person.team not in teams:
            raise problem_at(("people", login, "team"), f"unknown team {person.team!r} "
                             f"(known: {', '.join(teams)})", person.team)
