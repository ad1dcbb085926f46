"""Blameless check: flag wording in a PIR that blames people, with a suggested rewording.

Pure. Two kinds of finding:

- blaming phrases anywhere ("human error", "should have", "careless", "failed to", ...);
- a person named as the cause: in the cause fields (root cause, whys, contributing factors) any
  mention of a known person (role holders, actors, action owners) is flagged; elsewhere only
  patterns such as "caused by alice", "Bob's mistake", "because carol forgot".

Matching is case-insensitive and on word boundaries. A finding is `(field, phrase, suggestion)`
where `field` names the PIR field (`whys[2]` is the second why, `actions.A1.title` an action).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from warroom.domain.models import Event, IncidentState

__all__ = ["CAUSE_FIELDS", "Finding", "check_pir", "check_text", "people"]

CAUSE_FIELDS = frozenset({"root_cause", "whys", "contributing_factors"})
"""Fields in which naming a person at all reads as blame."""

_NOT_PEOPLE = frozenset({"anyone", "system", "nobody", "warroom", "team", "the", "customer"})



class Finding(NamedTuple):
    """One blameful phrase: where, what, and how to say it instead."""

    field: str
    phrase: str
    suggestion: str


_PHRASES: list[tuple[str, str]] = [
    (r"human[\s-]+errors?", "describe the conditions that made the error possible "
     "(missing guard rail, unclear runbook, confusing tool)"),
    (r"(?:operator|user|engineer|admin)[\s-]+errors?",
     "name the system gap that let the action cause harm, not the person who took it"),
    (r"should(?:n['’]t| not)? have|should['’]ve",
     "state what happened and what would have caught it (a check, a test, an alert)"),
    (r"could have (?:avoided|prevented)", "state what safeguard was missing"),
    (r"careless(?:ly|ness)?", "describe the missing safeguard instead of a person's care"),
    (r"negligen(?:t|ce|tly)", "describe the gap in process or tooling"),
    (r"reckless(?:ly|ness)?", "describe the gap in process or tooling"),
    (r"sloppy|sloppiness", "describe the gap in review or validation"),
    (r"lazy|laziness", "describe the gap in process or tooling"),
    (r"incompeten(?:t|ce)", "describe the gap in training, documentation or tooling"),
    (r"failed to", "say what did not happen and why the system allowed it "
     "(e.g. 'the runbook did not include...')"),
    (r"forgot(?:ten)? to", "say which step was missed and what would have prompted it "
     "(checklist, automation)"),
    (r"fault of|(?:his|her|their|my|your) fault|at fault",
     "describe causes in terms of systems and conditions, not fault"),
    (r"blam(?:e|ed|es|ing)", "focus on contributing conditions, not on who is to blame"),
    (r"mistakes? (?:by|of|made by)", "describe the action and the conditions around it "
     "without attributing it to a person"),
    (r"dropped the ball", "describe which hand-off or signal was missing"),
    (r"(?:screwed|messed) up", "describe the action and its effect neutrally"),
    (r"not paying attention|didn['’]t pay attention|inattentive|inattention",
     "describe what made the signal easy to miss (noise, missing alert)"),
    (r"stupid|dumb|idiot(?:ic)?", "describe the action and its effect neutrally"),
]
_PHRASE_RES = [(re.compile(rf"\b(?:{p})\b", re.IGNORECASE), s) for p, s in _PHRASES]

_PERSON_SUGGESTION = ("name the system, process or condition rather than the person "
                      "(e.g. 'a config change without review' instead of a name)")

# `{name}` is replaced by an alternation of escaped names.
_PERSON_PATTERNS = [
    r"(?:caused|triggered|broken|introduced|done) by {name}",
    r"(?:because|due to|thanks to|blame) (?:of )?{name}",
    r"{name}['’]s? (?:mistake|error|fault|blunder|oversight|bad \w+|careless\w*|negligence)",
    r"(?:mistake|error|fault|blunder|oversight) (?:by|of) {name}",
    r"{name} (?:broke|forgot|failed|messed|screwed|missed|ignored|neglected|caused|"
    r"did not|didn['’]t|should(?:n['’]t)? have|should['’]ve|never)",
]


def people(state: IncidentState, events: Iterable[Event] = ()) -> set[str]:
    """Names of people in the escalation: role holders, actors, and action and commitment owners.

    An address like `alice@example.com` also yields its local part `alice`.
    """
    names: set[str] = set()
    raw: list[str] = list(state.roles.values())
    raw += [e.actor for e in events]
    raw += [str(a.get("owner") or "") for a in state.actions.values()]
    raw += [c.owner for c in state.commitments.values()]
    raw += [u.posted_by for u in state.updates]
    raw += [d.actor for d in state.decisions]
    for name in raw:
        name = name.strip()
        if not name:
            continue
        names.add(name)
        if "@" in name:
            names.add(name.split("@", 1)[0])
    return {n for n in names if len(n) >= 2 and n.casefold() not in _NOT_PEOPLE}


def _names_re(names: Iterable[str]) -> str | None:
    unique = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    if not unique:
        return None
    return "(?:" + "|".join(re.escape(n) for n in unique) + ")"


def check_text(
    field: str, text: str, names: Iterable[str] = (), *, cause: bool | None = None
) -> list[Finding]:
    """Findings in one piece of text.

    Args:
        field: reported as the finding's field.
        text: what to check.
        names: people who must not be named as the cause.
        cause: treat as a cause field (any mention of a person is blame). Defaults to whether
            the base name of `field` (before `[` or `.`) is in `CAUSE_FIELDS`.
    """
    if cause is None:
        cause = re.split(r"[\[.]", field, maxsplit=1)[0] in CAUSE_FIELDS
    found: list[tuple[int, int, Finding]] = []

    def add(match: re.Match[str], suggestion: str) -> None:
        start, end = match.span()
        if any(s <= start and end <= e for s, e, _ in found):
            return
        found.append((start, end, Finding(field, match.group(0), suggestion)))

    alternation = _names_re(names)
    if alternation is not None:
        for template in _PERSON_PATTERNS:
            regex = re.compile(r"(?<!\w)" + template.format(name=alternation) + r"(?!\w)",
                               re.IGNORECASE)
            for match in regex.finditer(text):
                add(match, _PERSON_SUGGESTION)
        if cause:
            for match in re.finditer(rf"(?<!\w){alternation}(?!\w)", text, re.IGNORECASE):
                add(match, _PERSON_SUGGESTION)
    for regex, suggestion in _PHRASE_RES:
        for match in regex.finditer(text):
            add(match, suggestion)
    return [f for _, _, f in sorted(found, key=lambda t: t[0])]


def _pir_texts(pir: Mapping[str, Any], actions: Mapping[str, Mapping[str, Any]]
               ) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for key in ("summary", "customer_impact", "root_cause"):
        value = pir.get(key)
        if isinstance(value, str) and value.strip():
            out.append((key, value))
    for key in ("whys", "contributing_factors", "went_well"):
        value = pir.get(key)
        if isinstance(value, list):
            out += [(f"{key}[{i}]", str(v)) for i, v in enumerate(value, start=1) if str(v)]
    for action_id, action in actions.items():
        title = action.get("title")
        if isinstance(title, str) and title:
            out.append((f"actions.{action_id}.title", title))
    return out


def check_pir(state: IncidentState, events: Iterable[Event] = (),
              extra_names: Iterable[str] = ()) -> list[Finding]:
    """Every finding in the escalation's PIR (text fields, list fields, action titles)."""
    names = people(state, events) | set(extra_names)
    findings: list[Finding] = []
    for field_name, text in _pir_texts(state.pir, state.actions):
        findings += check_text(field_name, text, names)
    return findings
