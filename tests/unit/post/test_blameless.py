"""Blameless check: blaming phrases, people named as the cause, and neutral text left alone."""

from __future__ import annotations

import pytest

from tests.factories import T0, hours
from tests.unit.post.helpers import incident, post_policy, run
from warroom.domain.blameless import check_pir, check_text, people
from warroom.domain.post_commands import ActionAdd, PirEdit

POLICY = post_policy()


@pytest.mark.parametrize(("text", "phrase"), [
    ("Root cause was human error during the deploy.", "human error"),
    ("The engineer should have checked the flag.", "The engineer should have"),
    ("A careless change to the config.", "careless"),
    ("The on-call failed to page the database team.", "The on-call failed"),
    ("This was negligent handling of keys.", "negligent"),
    ("It was the fault of the release manager.", "fault of the release manager"),
    ("We do not want to blame anyone.", "to blame"),
    ("A mistake by the operator.", "mistake by the operator"),
    ("Someone forgot to renew the certificate.", "Someone forgot"),
    ("Operator error in the console.", "Operator error"),
    ("He SHOULDN'T HAVE restarted it.", "He SHOULDN'T HAVE"),
])
def test_blaming_phrases_are_flagged(text: str, phrase: str) -> None:
    findings = check_text("summary", text)
    assert [f.phrase for f in findings] == [phrase]
    assert findings[0].field == "summary"
    assert findings[0].suggestion


@pytest.mark.parametrize("text", [
    "The deploy pipeline did not validate the config before rollout.",
    "A retry storm exhausted the connection pool.",
    "Alerting should fire within five minutes.",
    "The failover failed because the replica lagged.",
    "Clear ownership of the runbook.",
    "The platform team did not renew the certificate; renewal was manual.",
    "The health check failed to detect the stuck worker.",
])
def test_neutral_wording_passes(text: str) -> None:
    assert check_text("root_cause", text, names={"alice", "bob"}) == []


@pytest.mark.parametrize(("text", "phrase"), [
    ("Outage caused by alice pushing to main.", "caused by alice"),
    ("It was Bob's mistake.", "Bob's mistake"),
    ("Because bob did not check the dashboards.", "bob did not"),
    ("alice forgot the migration.", "alice forgot"),
])
def test_a_person_named_as_the_cause_is_flagged_anywhere(text: str, phrase: str) -> None:
    findings = check_text("summary", text, names={"alice", "Bob"})
    assert findings[0].phrase == phrase
    assert "the person" in findings[0].suggestion or "the subject" in findings[0].suggestion


def test_any_mention_of_a_person_in_a_cause_field_is_flagged_but_not_elsewhere() -> None:
    assert [f.phrase for f in check_text("root_cause", "alice ran the migration twice",
                                         names={"alice"})] == ["alice"]
    assert [f.phrase for f in check_text("whys[2]", "Alice ran it", names={"alice"})] == ["Alice"]
    assert check_text("went_well[1]", "alice spotted it fast", names={"alice"}) == []
    # A name inside another word is not a mention.
    assert check_text("root_cause", "the alicebot cron", names={"alice"}) == []


def test_people_come_from_roles_actors_and_owners() -> None:
    log = incident(commander="ana@example.com")
    log.assign(T0, "tech_lead", "Bo")
    run(log, ActionAdd(incident_id="ESC-1", title="fix", owner="cy", due_at=T0 + hours(4)),
        POLICY, actor="ana@example.com")
    assert people(log.state(), log.events) == {"ana@example.com", "ana", "Bo", "cy"}


def test_check_pir_reports_every_field_with_its_position() -> None:
    log = incident(commander="ana")
    log.assign(T0, "tech_lead", "bo")
    run(log, PirEdit(incident_id="ESC-1", fields={
        "summary": "Checkout was down for 2 hours.",
        "root_cause": "bo deployed an unreviewed change",
        "whys": ["the deploy lacked review", "the reviewer should have caught it",
                 "the check was optional"],
        "went_well": ["bo rolled back quickly"],
    }), POLICY)
    run(log, ActionAdd(incident_id="ESC-1", title="stop human error in deploys", owner="bo",
                       due_at=T0 + hours(24)), POLICY)
    found = [(f.field, f.phrase) for f in check_pir(log.state(), log.events)]
    assert found == [("root_cause", "bo"), ("whys[2]", "the reviewer should have"),
                     ("actions.A1.title", "human error")]


@pytest.mark.parametrize(("text", "phrase"), [
    ("The administrator misconfigured the firewall rule.", "The administrator misconfigured"),
    ("An operator fat-fingered the weights.", "An operator fat-fingered"),
    ("A junior developer merged untested code.", "A junior developer merged untested"),
    ("The support agent gave the customer the wrong steps.",
     "The support agent gave the customer the wrong"),
])
def test_a_person_doing_the_wrong_thing_is_flagged(text: str, phrase: str) -> None:
    assert [f.phrase for f in check_text("summary", text)] == [phrase]


@pytest.mark.parametrize("text", [
    "The on-call engineer rolled back the bad deploy.",
    "The engineer restored the broken replica.",
    "The deploy job pushed a bad config.",
    "Thanks to the on-call engineer, the rollback took ten minutes.",
])
def test_fixing_a_bad_thing_or_a_system_doing_it_passes(text: str) -> None:
    assert check_text("summary", text) == []
