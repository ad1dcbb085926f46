"""The config file's schema: one pydantic model per section, gathered by `ConfigFile`.

To add a section, write its model in a module of this package and add one field below (see
docs/architecture.md, "Configuration"). Importing this package imports pydantic: only
`warroom.config.load` does, and only when the config is not already in the cache.
"""

from __future__ import annotations

from typing import Self

from pydantic import Field, ValidationInfo, model_validator

from warroom.config.schema.base import Section, names, problem_at
from warroom.config.schema.calendars import CalendarEntry
from warroom.config.schema.channels import Channel, Trigger, check_triggers
from warroom.config.schema.console import ConsoleSection, RemoteSection, StoreSection
from warroom.config.schema.customers import CustomerEntry, Tier, check_tiers
from warroom.config.schema.hooks import Hooks
from warroom.config.schema.people import PersonEntry, TeamName, check_people, default_teams
from warroom.config.schema.recurrence import Recurrence
from warroom.config.schema.roles import Rights, Roles, check_rights
from warroom.config.schema.server import ServerSection
from warroom.config.schema.severities import Severities
from warroom.config.schema.sla import Sla
from warroom.config.schema.templates import TemplateEntry
from warroom.config.schema.triage import TriageRules


class ConfigFile(Section):
    """The whole file, merged over the packaged default; field names are the top-level keys."""

    sla: Sla = Sla()
    severities: Severities
    calendars: dict[str, CalendarEntry]
    triage_rules: TriageRules
    roles: Roles
    rights: Rights
    templates: dict[str, TemplateEntry] = Field(default_factory=dict)
    tiers: dict[str, Tier] = Field(default_factory=dict)
    customers: dict[str, CustomerEntry] = Field(default_factory=dict)
    recurrence: Recurrence = Recurrence()
    teams: list[TeamName] = Field(default_factory=default_teams)
    people: dict[str, PersonEntry] = Field(default_factory=dict)
    console: ConsoleSection = ConsoleSection()
    remote: RemoteSection = RemoteSection()
    store: StoreSection = StoreSection()
    server: ServerSection = ServerSection()
    hooks: Hooks = Hooks()
    channels: dict[str, Channel] = Field(default_factory=dict)
    triggers: list[Trigger] = Field(default_factory=list)

    @model_validator(mode="after")
    def _references(self, info: ValidationInfo) -> Self:
        """Names one section uses that another defines."""
        for severity, targets in self.severities.items():
            if targets.calendar not in self.calendars:
                raise problem_at(("severities", severity.value, "calendar"),
                                 f"unknown calendar {targets.calendar!r} (known: "
                                 f"{names(self.calendars)})", targets.calendar)
        known = (info.context or {}).get("known_rights")
        check_rights(self.rights, self.roles, known)
        check_tiers(self.customers, self.tiers)
        check_people(self.people, self.teams)
        check_triggers(self.triggers, self.channels)
        return self
