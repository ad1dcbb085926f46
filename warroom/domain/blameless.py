"""Blameless check: flag wording in a PIR that blames people, with a suggested rewording.

Pure. Three kinds of finding:

- fault words anywhere ("human error", "careless", "negligence", "to blame", ...);
- a person at fault: a possessive or attribution of a fault ("Bob's mistake", "the on-call's
  fault", "oversight by Alice") or a person as the subject of a failure verb ("Bob did not
  renew", "the intern didn't check", "Bob forgot the certificate"). A person is a known name
  or a word for a person (the intern, an engineer, the on-call, he, someone);
- in the cause fields (root cause, whys, contributing factors) any mention of a known person.

Systemic wording passes: teams and systems may be subjects ("the platform team did not renew",
"the deploy job failed to check"). Known people are everyone the store knows (`known_people`),
not only this escalation's. A finding is `(field, phrase, suggestion)`, `field` naming the PIR
field (`whys[2]` is the second why, `actions.A1.title` an action).
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from warroom.domain.models import Event, IncidentState
from warroom.domain.policy import Policy

__all__ = ["CAUSE_FIELDS", "Finding", "check_pir", "check_text", "known_people", "people"]

CAUSE_FIELDS = frozenset({"root_cause", "whys", "contributing_factors"})
"""Fields in which naming a person at all reads as blame."""

_NOT_PEOPLE = frozenset({"anyone", "system", "nobody", "warroom", "team", "the", "customer",
                         "root", "admin", "statuspage", "importer"})


class Finding(NamedTuple):
    """One blameful phrase: where, what, and how to say it instead."""

    field: str
    phrase: str
    suggestion: str

    def describe(self) -> str:
        """`whys[2]: "Bob forgot"` for messages."""
        return f'{self.field}: "{self.phrase}"'


_FAULT_WORDS: list[tuple[str, str]] = [
    (r"human[\s-]+errors?", "describe the conditions that made the error possible "
     "(missing guard rail, unclear runbook, confusing tool)"),
    (r"(?:operator|user|engineer|admin|pilot)[\s-]+errors?",
     "name the system gap that let the action cause harm, not the person who took it"),
    (r"careless(?:ly|ness)?", "describe the missing safeguard instead of a person's care"),
    (r"negligen(?:t|ce|tly)", "describe the gap in process or tooling"),
    (r"reckless(?:ly|ness)?", "describe the gap in process or tooling"),
    (r"sloppy|sloppiness", "describe the gap in review or validation"),
    (r"lazy|laziness", "describe the gap in process or tooling"),
    (r"incompeten(?:t|ce)", "describe the gap in training, documentation or tooling"),
    (r"forg[eo]t(?:ten)?", "say which step was missed and what would have prompted it "
     "(checklist, automation)"),
    (r"fault of|(?:his|her|their|my|your|our) (?:own )?fault|at fault|(?:to )?blam(?:e|ed|es|ing)",
     "describe causes in terms of systems and conditions, not fault"),
    (r"dropped the ball", "describe which hand-off or signal was missing"),
    (r"(?:screwed|messed|fouled) up", "describe the action and its effect neutrally"),
    (r"not paying attention|didn['’]t pay attention|inattentive|inattention|asleep at the wheel",
     "describe what made the signal easy to miss (noise, missing alert)"),
    (r"stupid|dumb|idiot(?:ic)?|clueless|rookie mistake",
     "describe the action and its effect neutrally"),
]
_FAULT_RES = [(re.compile(rf"(?<!\w)(?:{p})(?!\w)", re.IGNORECASE), s) for p, s in _FAULT_WORDS]

_PERSON_SUGGESTION = ("name the system, process or condition rather than the person "
                      "(e.g. 'a config change without review' instead of a name)")
_SUBJECT_SUGGESTION = ("make the system the subject: what did not happen and what would have "
                       "caught it (a check, a test, an alert, automation)")

_PERSON_WORDS = (
    r"(?:(?:the|an?|our|their|his|her|one|that|this)\s+)?(?:(?:new|junior|senior|same|"
    r"responsible|assigned|primary|secondary|lead|staff|support|release|database|ops|"
    r"platform|network|backend|frontend|devops)\s+)*"
    r"(?:on[\s-]?call(?:\s+(?:engineer|person|responder))?|interns?|engineers?|developers?|"
    r"devs?|operators?|administrators?|sres?|dbas?|contractors?|new\s+hires?|reviewers?|"
    r"approvers?|(?:team\s+)?leads?|managers?|employees?|person|staffers?|technicians?|"
    r"responders?|coworkers?|colleagues?|agents?|analysts?|author|committer|deployer|he|she|"
    r"someone|somebody)"
)
"""A word for a person (not a team or a system)."""

_NOT_LACK = r"(?!\s+(?:have|receive|get|know|see|need|exist|hold))"
"""`did not have access` states a missing means, not a failing."""
_FAILURE_VERB = (
    r"(?:forg[eo]t(?:ten)?|neglected|failed(?!\s+over)|ignored|overlooked|missed|skipped|"
    r"botched|broke|(?:messed|screwed)\s+up|fat[\s-]?fingered|"
    r"mis(?:configured|typed|read|judged|handled|applied|labell?ed)|"
    r"(?:did\s+not|didn['’]t|never)" + _NOT_LACK + "|"
    r"was\s+careless|"
    r"(?:should|could)(?:\s+not|n['’]t)?\s+have|(?:should|could)['’]ve|made\s+(?:a|an)\s+"
    r"(?:mistake|error|blunder)|was\s+(?:negligent|sloppy|lazy|wrong)|carelessly|"
    r"accidentally|mistakenly|wrongly|blindly|"
    # a person doing something to a wrong or untested thing ("merged untested code")
    r"(?:ran|pushed|merged|deployed|shipped|gave|applied|entered|typed|used|chose|picked|sent|"
    r"wrote|deleted|changed|edited)\s+(?:\w+\s+){0,2}?(?:(?:a|an|the)\s+)?"
    r"(?:wrong|bad|untested|incorrect|faulty))"
)
_FAULT_NOUN = (r"(?:mistake|error|fault|blunder|oversight|negligence|carelessness|slip|lapse|"
               r"failure|screw[\s-]?up|misstep)s?")

# `{who}` is replaced by a person (a known name or a word for a person).
_PERSON_PATTERNS = [
    (r"{who}['’]s?\s+(?:own\s+)?(?:\w+\s+)?" + _FAULT_NOUN, _PERSON_SUGGESTION),
    (_FAULT_NOUN + r"\s+(?:by|of|from|on\s+the\s+part\s+of)\s+{who}", _PERSON_SUGGESTION),
    (r"(?:caused|triggered|broken|introduced)\s+by\s+{who}", _PERSON_SUGGESTION),
    (r"(?:because\s+of|due\s+to|blame)\s+{who}", _PERSON_SUGGESTION),
    (r"{who}\s+(?:\w+ly\s+)?" + _FAILURE_VERB, _SUBJECT_SUGGESTION),
]


def _add_name(names: set[str], raw: str) -> None:
    name = raw.strip()
    if not name:
        return
    names.add(name)
    if "@" in name:
        names.add(name.split("@", 1)[0])


def _clean(names: set[str], policy: Policy | None) -> set[str]:
    teams = {t.casefold() for t in policy.teams} if policy is not None else set()
    return {n for n in names if len(n) >= 2 and n.casefold() not in _NOT_PEOPLE
            and n.casefold() not in teams}


def people(state: IncidentState, events: Iterable[Event] = ()) -> set[str]:
    """Names of people in one escalation: role holders, actors, owners, posters, approvers.

    An address like `alice@example.com` also yields its local part `alice`.
    """
    names: set[str] = set()
    raw: list[str] = list(state.roles.values())
    raw += [e.actor for e in events]
    raw += [str(a.get("owner") or "") for a in state.actions.values()]
    raw += [c.owner for c in state.commitments.values()]
    raw += [u.posted_by for u in state.updates]
    raw += [d.actor for d in state.decisions]
    raw += [str(c.get("approved_by") or "") for c in state.credits]
    raw += [str(s.get("by") or "") for s in state.rca_sent]
    for name in raw:
        _add_name(names, name)
    return _clean(names, None)


def known_people(states: Iterable[IncidentState], policy: Policy | None = None) -> set[str]:
    """Every person the store knows (people of every escalation) and the configured people
    (login, display name, and the display name's first word)."""
    names: set[str] = set()
    for state in states:
        names |= people(state)
    if policy is not None:
        for login, person in policy.people.items():
            _add_name(names, login)
            if person.display_name.strip():
                names.add(person.display_name.strip())
                names.add(person.display_name.split()[0])
    return _clean(names, policy)


def _names_re(names: Iterable[str]) -> str | None:
    unique = sorted({n.strip() for n in names if n.strip()}, key=len, reverse=True)
    if not unique:
        return None
    return "(?:" + "|".join(re.escape(n) for n in unique) + ")"


_COMPILED: dict[str | None, list[tuple[re.Pattern[str], str]]] = {}


def _person_res(alternation: str | None) -> list[tuple[re.Pattern[str], str]]:
    cached = _COMPILED.get(alternation)
    if cached is None:
        who = _PERSON_WORDS if alternation is None else f"(?:{alternation}|{_PERSON_WORDS})"
        cached = [(re.compile(r"(?<!\w)" + t.replace("{who}", who) + r"(?!\w)", re.IGNORECASE),
                   s) for t, s in _PERSON_PATTERNS]
        if len(_COMPILED) > 64:
            _COMPILED.clear()
        _COMPILED[alternation] = cached
    return cached


def check_text(
    field: str, text: str, names: Iterable[str] = (), *, cause: bool | None = None
) -> list[Finding]:
    """Findings in one piece of text.

    Args:
        field: reported as the finding's field.
        text: what to check.
        names: people who must not be named as the cause.
        cause: treat as a cause field (any mention of a known person is blame). Defaults to
            whether the base name of `field` (before `[` or `.`) is in `CAUSE_FIELDS`.
    """
    if cause is None:
        cause = re.split(r"[\[.]", field, maxsplit=1)[0] in CAUSE_FIELDS
    found: list[tuple[int, int, Finding]] = []

    def add(match: re.Match[str], suggestion: str) -> None:
        start, end = match.span()
        for i, (s, e, _) in enumerate(found):
            if s <= start and end <= e:
                return
            if start <= s and e <= end:  # the longer phrase says more
                found[i] = (start, end, Finding(field, match.group(0), suggestion))
                return
        found.append((start, end, Finding(field, match.group(0), suggestion)))

    names = set(names)
    alternation = _names_re(names)
    for regex, suggestion in _person_res(alternation):
        for match in regex.finditer(text):
            add(match, suggestion)
    if cause and alternation is not None:
        # A bare mention counts written as the name is, or as a proper noun ("Will", not "will").
        for match in re.finditer(rf"(?<!\w){alternation}(?!\w)", text, re.IGNORECASE):
            word = match.group(0)
            if word[:1].isupper() or word in names:
                add(match, _PERSON_SUGGESTION)
    for regex, suggestion in _FAULT_RES:
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


def unaccepted(state: IncidentState, findings: Iterable[Finding]) -> list[Finding]:
    """Findings not covered by a `--accept-findings` recorded on the PIR's completion."""
    accepted = state.pir_accepted
    if not accepted:
        return list(findings)
    covered = {(f.get("field"), f.get("phrase")) for f in accepted.get("findings", [])}
    return [f for f in findings if (f.field, f.phrase) not in covered]
