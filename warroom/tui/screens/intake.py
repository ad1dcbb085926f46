"""Intake and triage: the impact assessment, the suggested severity with the matrix rule that
matched, and the 15-minute triage countdown.

With no escalation it opens a new one (receipt is when the form was opened, so the countdown is
honest); with an untriaged escalation it triages it.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from textual import on
from textual.app import ComposeResult
from textual.content import Content
from textual.widgets import Checkbox, Input, Select, Static

from warroom.domain import commands as c
from warroom.domain.models import (
    ClockName,
    ClockState,
    Impact,
    ImpactAssessment,
    IncidentState,
    Severity,
)
from warroom.domain.policy import Policy
from warroom.domain.sla import clocks
from warroom.domain.triage import suggest
from warroom.tui.screens.form import Field, FormScreen
from warroom.tui.view import badge, countdown, dual
from warroom.tui.widgets.clocks import STATE_STYLES

SUGGESTED = "suggested"
UNTRIAGED = "untriaged"


def _affected(text: Any) -> int:
    try:
        count = int(str(text).strip() or 0)
    except ValueError as exc:
        raise ValueError("affected: a whole number of customers") from exc
    if count < 0:  # the same words as the CLI and the API
        raise ValueError("affected: must be at least 0")
    return count


class IntakeScreen(FormScreen):
    """New escalation (state None) or triage of an untriaged one."""

    def __init__(self, state: IncidentState | None, policy: Policy, now: datetime) -> None:
        self.incident = state
        self.policy = policy
        self.opened_at = now
        assessment = state.assessment if state is not None else ImpactAssessment()
        fields: list[Field] = []
        if state is None:
            fields += [
                Field("title", "Title", placeholder="what is broken, in the customer's words"),
                Field("customer", "Customer", placeholder="e.g. Northwind Bank",
                      suggestions=list(policy.customers)),
            ]
        fields += [
            Field("impact", "Impact", assessment.impact.value, kind="choice",
                  choices=[(i.value, i.value) for i in Impact]),
            Field("affected", "Affected customers", str(assessment.affected)),
            Field("strategic", "Strategic account", assessment.strategic, kind="bool"),
            Field("data_loss", "Data loss / security", assessment.data_loss, kind="bool"),
            Field("business_risk", "Business risk", assessment.business_risk,
                  placeholder="what is at stake for the customer"),
        ]
        severities = [("accept suggestion", SUGGESTED), *((s.value, s.value) for s in Severity)]
        if state is None:
            severities.append(("leave untriaged (held to P0)", UNTRIAGED))
            fields += [
                Field("component", "Component", placeholder="optional, for recurrence"),
                Field("category", "Category", placeholder="optional, for recurrence"),
            ]
        else:
            fields.append(Field("reason", "Reason", placeholder="why this severity"))
        fields.append(Field("severity", "Severity", SUGGESTED, kind="choice", choices=severities))
        title = "New escalation (intake)" if state is None else f"Triage {state.id}"
        super().__init__(title, fields, self._build,
                         submit_label="Open" if state is None else "Triage")

    def extra(self) -> ComposeResult:
        yield Static("", id="suggestion")
        yield Static("", id="triage-countdown")

    def on_mount(self) -> None:
        self.watch(self.app, "now", self._tick)
        self._suggest()

    # -- live suggestion and countdown --

    def _assessment(self) -> ImpactAssessment:
        v = self.values()
        return ImpactAssessment(impact=Impact(v["impact"]), affected=_affected(v["affected"]),
                                strategic=bool(v["strategic"]), data_loss=bool(v["data_loss"]),
                                business_risk=v["business_risk"])

    def _suggest(self) -> None:
        widget = self.query_one("#suggestion", Static)
        try:
            severity, rule = suggest(self._assessment(), self.policy.triage_rules)
        except ValueError as exc:
            widget.update(Content(f"✖ {exc}"))
            return
        widget.update(Content.assemble(
            "Suggested severity ", (f" {severity.value} ", f"bold $sev-text on $sev-"
                                    f"{severity.value.lower()}"),
            "  matched rule ", (rule.name, "bold"), _rule_text(rule)))

    def _tick(self, now: datetime) -> None:
        target = self.policy.triage_deadline
        if self.incident is None:
            due = self.opened_at + target
            left = (due - now).total_seconds()
            at_risk = left <= self.policy.at_risk_fraction * target.total_seconds()
            state = ClockState.BREACHED if left < 0 else (
                ClockState.AT_RISK if at_risk else ClockState.OK)
        else:
            clock = clocks(self.incident, self.policy, now)[ClockName.TRIAGE]
            due, left, state = clock.due_at or now, clock.remaining_s or 0.0, clock.state
        minutes = int(target.total_seconds() // 60)
        self.query_one("#triage-countdown", Static).update(Content.assemble(
            f"Triage within {minutes}m: ", (f"{badge(state)} {countdown(left)}",
                                            STATE_STYLES[state]),
            f"  (due {dual(due, None)})"))

    @on(Input.Changed)
    @on(Checkbox.Changed)
    @on(Select.Changed)
    def _changed(self, event: Input.Changed | Checkbox.Changed | Select.Changed) -> None:
        if event.control.id == "field-customer":
            info = self.policy.customers.get(str(event.control.value).strip())
            if info is not None and info.strategic:
                self.query_one("#field-strategic", Checkbox).value = True
        self._suggest()

    # -- the command --

    def _build(self, v: dict[str, Any]) -> c.AnyCommand:
        choice = v["severity"]
        severity = suggest(self._assessment(), self.policy.triage_rules)[0] \
            if choice == SUGGESTED else None if choice == UNTRIAGED else Severity(choice)
        common: dict[str, Any] = {
            "impact": Impact(v["impact"]), "affected": _affected(v["affected"]),
            "strategic": bool(v["strategic"]), "data_loss": bool(v["data_loss"]),
            "business_risk": v["business_risk"] or None,
        }
        if self.incident is None:
            return c.Open(title=v["title"], customer=v["customer"], severity=severity,
                          component=v["component"] or None, category=v["category"] or None,
                          at=self.opened_at, **common)
        return c.Triage(incident_id=self.incident.id, reason=v["reason"], severity=severity,
                        **common)


def _rule_text(rule: Any) -> str:
    conditions = []
    if rule.data_loss is not None:
        conditions.append(f"data loss/security={'yes' if rule.data_loss else 'no'}")
    if rule.impact:
        conditions.append("impact " + "/".join(i.value for i in rule.impact))
    if rule.min_affected is not None:
        conditions.append(f"≥{rule.min_affected} affected")
    if rule.strategic is not None:
        conditions.append("strategic" if rule.strategic else "not strategic")
    return f" ({', '.join(conditions)})" if conditions else " (default)"
