"""Status-update templates: safe rendering, selection, and the context drawn from an escalation."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.conftest import T0
from warroom.domain.errors import InvalidInput
from warroom.domain.models import (
    Audience,
    ClockName,
    Commitment,
    Impact,
    ImpactAssessment,
    IncidentState,
    Phase,
    Severity,
)
from warroom.domain.policy import Policy, Template
from warroom.domain.sla import clocks
from warroom.domain.structs import convert, replace
from warroom.domain.templates import (
    KNOWN_PLACEHOLDERS,
    NO_PROMISE,
    context_for,
    format_time,
    placeholders,
    render,
    select,
)


def incident(**changes: object) -> IncidentState:
    base: dict[str, object] = {
        "id": "ESC-7",
        "title": "Card payments failing",
        "customer": "Northwind Bank",
        "severity": Severity.P0,
        "triaged": True,
        "phase": Phase.INVESTIGATING,
        "assessment": ImpactAssessment(impact=Impact.OUTAGE, affected=12, strategic=True,
                                       business_risk="Payroll run at 17:00"),
        "roles": {"incident_commander": "dana", "customer_spoc": "lee"},
        "received_at": T0 - timedelta(hours=1, minutes=5),
        "triaged_at": T0 - timedelta(hours=1),
    }
    base.update(changes)
    return convert(base, IncidentState)


def promise(cid: str, text: str, due: datetime, source: str = "manual") -> Commitment:
    return Commitment(id=cid, text=text, owner="lee", due_at=due, made_at=T0 - timedelta(hours=1),
                      source=source)


class TestRender:
    def test_substitutes_names(self) -> None:
        assert render("Hi {customer}, re {id}.", {"customer": "Acme", "id": "ESC-1"}) == \
            "Hi Acme, re ESC-1."

    def test_double_braces_are_literal(self) -> None:
        assert render("{{id}} is {id}; {{{id}}}", {"id": "X"}) == "{id} is X; {X}"
        assert render("}} and {{", {}) == "} and {"

    def test_unknown_placeholder_raises(self) -> None:
        with pytest.raises(InvalidInput, match=r"unknown placeholder \{ticket\}") as info:
            render("see {ticket}", {"id": "X"})
        assert info.value.field == "template"

    @pytest.mark.parametrize(
        "body",
        ["{0}", "{0.__class__}", "{id.__class__}", "{id!r}", "{id:>10}", "{id[0]}", "{}",
         "{ id }", "{__import__('os')}"],
    )
    def test_format_syntax_is_impossible(self, body: str) -> None:
        context = {"id": "X", "0": "zero", "__import__": "no"}
        with pytest.raises(InvalidInput, match="bad placeholder"):
            render(body, context)
        with pytest.raises(InvalidInput):
            placeholders(body)

    @pytest.mark.parametrize("body", ["open { brace", "close } brace", "{id", "id}"])
    def test_stray_braces_raise(self, body: str) -> None:
        with pytest.raises(InvalidInput, match="unmatched"):
            render(body, {"id": "X"})

    def test_values_are_never_rescanned(self) -> None:
        evil = "{0.__class__.__mro__} {id} {{"
        assert render("{title}|{id}", {"title": evil, "id": "ESC-1"}) == f"{evil}|ESC-1"

    @given(st.text())
    def test_any_value_is_inserted_verbatim(self, value: str) -> None:
        assert render("<{v}>", {"v": value}) == f"<{value}>"

    @given(st.text(alphabet=st.characters(blacklist_characters="{}")))
    def test_text_without_braces_is_unchanged(self, body: str) -> None:
        assert render(body, {}) == body
        assert placeholders(body) == set()

    def test_placeholders(self) -> None:
        assert placeholders("{a} {b} {a} {{c}}") == {"a", "b"}


class TestSelect:
    def test_most_specific_first(self, policy: Policy) -> None:
        chosen = select(policy.templates, Severity.P0, Audience.CUSTOMER, Phase.INVESTIGATING)
        assert [t.name for t in chosen] == ["customer-p0-investigating"]
        chosen = select(policy.templates, Severity.P1, Audience.CUSTOMER, Phase.TRIAGE)
        assert [t.name for t in chosen] == ["customer-investigating"]

    def test_specificity_order(self) -> None:
        def t(name: str, severities: list[Severity], phases: list[Phase]) -> Template:
            return Template(name=name, audience=Audience.CUSTOMER, severities=severities,
                            phases=phases, body=name)

        generic = t("generic", list(Severity), list(Phase))
        by_phase = t("by-phase", list(Severity), [Phase.MONITORING])
        by_severity = t("by-severity", [Severity.P1], list(Phase))
        exact = t("exact", [Severity.P1], [Phase.MONITORING])
        other = Template(name="internal", audience=Audience.INTERNAL, body="x")
        wrong_phase = t("wrong-phase", [Severity.P1], [Phase.RESOLVED])
        chosen = select([generic, by_phase, other, by_severity, wrong_phase, exact],
                        Severity.P1, Audience.CUSTOMER, Phase.MONITORING)
        assert [x.name for x in chosen] == ["exact", "by-phase", "by-severity", "generic"]

    @pytest.mark.parametrize("audience", list(Audience))
    @pytest.mark.parametrize("severity", list(Severity))
    @pytest.mark.parametrize("phase", [p for p in Phase if p is not Phase.CLOSED])
    def test_default_offers_a_template_everywhere(
        self, policy: Policy, audience: Audience, severity: Severity, phase: Phase
    ) -> None:
        assert select(policy.templates, severity, audience, phase)


class TestContext:
    def test_keys_are_the_known_placeholders(self, policy: Policy) -> None:
        assert set(context_for(incident(), policy, T0, None)) == KNOWN_PLACEHOLDERS

    def test_values(self, policy: Policy) -> None:
        ctx = context_for(incident(), policy, T0, T0 + timedelta(minutes=30))
        assert ctx["id"] == "ESC-7" and ctx["customer"] == "Northwind Bank"
        assert (ctx["severity"], ctx["severity_label"]) == ("P0", "Critical")
        assert ctx["phase"] == "investigating"
        assert (ctx["impact"], ctx["affected"]) == ("service outage", "12")
        assert ctx["business_risk"] == "Payroll run at 17:00"
        assert (ctx["commander"], ctx["customer_spoc"], ctx["tech_lead"]) == (
            "dana", "lee", "unassigned")
        assert ctx["now"] == "10:00 UTC" and ctx["received"] == "08:55 UTC"
        assert ctx["age"] == "1h05m"
        assert ctx["next_update"] == "10:30 UTC"
        assert ctx["next_update_local"] == "05:30 EST"
        assert ctx["open_commitments"] == "none"
        assert ctx["summary"] == "Card payments failing"

    def test_customer_without_timezone_gets_utc(self, policy: Policy) -> None:
        ctx = context_for(incident(customer="Acme"), policy, T0, T0 + timedelta(minutes=30))
        assert ctx["next_update_local"] == ctx["next_update"] == "10:30 UTC"

    def test_a_customer_update_without_a_promise_claims_no_time(self, policy: Policy) -> None:
        ctx = context_for(incident(), policy, T0, None)
        assert ctx["next_update"] == ctx["next_update_local"] == NO_PROMISE

    def test_a_customer_update_names_the_time_it_promises(self, policy: Policy) -> None:
        ctx = context_for(incident(), policy, T0, T0 + timedelta(minutes=20))
        assert ctx["next_update"] == "10:20 UTC"

    def test_internal_and_executive_updates_name_the_clock(self, policy: Policy) -> None:
        state = incident(last_customer_update_at=T0 - timedelta(minutes=10),
                         first_customer_update_at=T0 - timedelta(minutes=50),
                         promised_next_update_at=T0 + timedelta(minutes=5))
        due = clocks(state, policy, T0)[ClockName.NEXT_UPDATE].due_at
        assert due == T0 + timedelta(minutes=5)
        for audience in (Audience.INTERNAL, Audience.EXECUTIVE):
            ctx = context_for(state, policy, T0, T0 + timedelta(hours=3), audience)
            assert ctx["next_update"] == ctx["customer_update_due"] == "10:05 UTC"

    def test_customer_update_due_is_the_sla_clock(self, policy: Policy) -> None:
        state = incident()
        due = clocks(state, policy, T0)[ClockName.NEXT_UPDATE].due_at
        assert due is not None
        assert context_for(state, policy, T0, None)["customer_update_due"] == format_time(due, T0)

    def test_open_commitments_soonest_first(self, policy: Policy) -> None:
        state = incident(commitments={
            "C1": promise("C1", "RCA draft", T0 + timedelta(hours=3)),
            "C2": promise("C2", "Next customer update by 10:30 UTC", T0 + timedelta(minutes=30),
                          source="update"),
        })
        ctx = context_for(state, policy, T0, None, Audience.INTERNAL)
        assert ctx["open_commitments"] == (
            "Next customer update by 10:30 UTC; RCA draft (due 13:00 UTC)")
        # a customer update keeps the previous update's promise, so it does not list it
        ctx = context_for(state, policy, T0, None, Audience.CUSTOMER)
        assert ctx["open_commitments"] == "RCA draft (due 13:00 UTC)"

    def test_many_commitments_are_summarised(self, policy: Policy) -> None:
        commitments = {
            f"C{i}": promise(f"C{i}", f"item {i}", T0 + timedelta(hours=i)) for i in range(1, 6)
        }
        text = context_for(incident(commitments=commitments), policy, T0, None)[
            "open_commitments"]
        assert text.startswith("item 1 (due 11:00 UTC); item 2") and text.endswith("and 2 more")

    def test_resolved_age_stops_at_resolution(self, policy: Policy) -> None:
        state = incident(phase=Phase.RESOLVED, resolved_at=T0 - timedelta(minutes=5),
                         resolution_summary="A bad config push was rolled back.")
        ctx = context_for(state, policy, T0 + timedelta(hours=2), None)
        assert ctx["age"] == "1h00m"
        assert ctx["summary"] == "A bad config push was rolled back."
        assert ctx["customer_update_due"] == "09:10 UTC"  # the final update is still owed
        final = replace(state, last_customer_update_at=T0 - timedelta(minutes=1))
        assert context_for(final, policy, T0, None)["customer_update_due"] == "none owed"

    def test_every_default_template_renders(self, policy: Policy) -> None:
        state = incident(commitments={"C1": promise("C1", "RCA draft", T0 + timedelta(hours=3))})
        ctx = context_for(state, policy, T0, T0 + timedelta(minutes=30))
        for template in policy.templates:
            body = render(template.body, ctx)
            assert "{" not in body and "}" not in body, template.name
            assert "ESC-7" in body or "Northwind Bank" in body, template.name


def test_format_time_adds_the_day_when_it_differs() -> None:
    assert format_time(T0, T0) == "10:00 UTC"
    assert format_time(T0 + timedelta(days=1), T0) == "Wed 25 Nov 10:00 UTC"
    from zoneinfo import ZoneInfo

    # 02:00 UTC on the 25th is still the 24th in New York: same local day as 10:00 UTC.
    assert format_time(T0.replace(hour=23), T0, ZoneInfo("America/New_York")) == "18:00 EST"
