"""The facilitation guide, built from config: the rules, cadence per severity, roles and their
duties, decision rights, and every key."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
from textual.content import Content
from textual.screen import Screen
from textual.widgets import Static

from warroom.domain.policy import Policy
from warroom.domain.timeparse import format_duration
from warroom.tui.app import war_app
from warroom.tui.screens.actions import IncidentActions
from warroom.tui.widgets.keybar import KeyBar

RULES: list[tuple[str, str]] = [
    ("Own it end to end", "The incident commander owns the escalation until it is closed; hand "
     "over explicitly by reassigning the role, never by walking away."),
    ("Never go silent", "Every customer update names the time of the next one, and the next "
     "one goes out by then, even if the news is 'no change yet'."),
    ("RCA for every P0/P1", "Every P0 and P1 gets a post-incident review with a root cause and "
     "owned corrective actions before it can close."),
    ("Commitments are binding", "A promise has an owner and a due time; it is met, missed or "
     "renegotiated with the customer before it is due, never quietly dropped."),
    ("Blameless", "Describe systems and decisions, not people's failings; the review asks what "
     "made the mistake easy, not who made it."),
    ("Flag recurring patterns", "A (category, component) pattern seen again within 30 days is "
     "flagged to product and operations, and tracked until they respond."),
]

KEYS: list[tuple[str, str]] = [
    *((b.key_display or b.key, str(b.description)) for b in IncidentActions.ACTION_BINDINGS),
    ("P", "Post-incident review editor"), ("A", "Corrective actions, overdue first"),
    ("T", "Trend report"), ("F", "Flag a recurring pattern (when one is due)"),
    ("e", "Escalation list (Enter opens)"), ("i", "New escalation (intake)"),
    ("1-5", "Show a pane (small screens)"), ("f", "Timeline filter (when focused)"),
    ("enter", "Timeline: full text of the event"), ("ctrl+p", "Command palette (every action, "
     "themes)"), ("?", "This guide"), ("q", "Quit"),
]


def span(seconds: float) -> str:
    """`15m`, `4h`, `2d`, `1h30m` (no zero seconds)."""
    total = int(seconds)
    for unit, size in (("d", 86400), ("h", 3600), ("m", 60)):
        if total >= size and total % size == 0:
            return f"{total // size}{unit}"
    return format_duration(total).removesuffix("00s")


def guide_text(policy: Policy) -> Content:
    """The whole guide as styled text."""
    parts: list[Content] = [Content.styled("The rules", "bold $accent")]
    for n, (rule, text) in enumerate(RULES, start=1):
        parts.append(Content.assemble(f" {n}. ", (rule, "bold"), f" — {text}"))
    parts += [Content(""), Content.styled("Update cadence per severity", "bold $accent"),
              Content.styled(f" {'':4}{'label':<10}{'triage':>8}{'first':>8}{'every':>8}"
                             f"{'resolve':>9}{'PIR':>8}  calendar", "$text-muted")]
    for severity, sp in policy.severities.items():
        pir = span(sp.pir_due.total_seconds()) if sp.pir_due else "optional"
        cells = [span(d.total_seconds()) for d in
                 (sp.triage, sp.first_update, sp.update_every, sp.resolve)]
        parts.append(Content.assemble(
            (f" {severity.value:<4}", "bold"), f"{sp.label:<10}", f"{cells[0]:>8}{cells[1]:>8}"
            f"{cells[2]:>8}{cells[3]:>9}{pir:>8}  {sp.calendar}"))
    parts += [Content(""), Content.styled("Roles and duties", "bold $accent")]
    for role, info in policy.roles.items():
        parts.append(Content.assemble(" ", (info.title, "bold"), (f" ({role})", "$text-muted")))
        parts += [Content(f"   • {duty}") for duty in info.duties]
        held = [r for r, roles in policy.rights.items() if role in roles]
        if held:
            parts.append(Content.assemble(("   decides: ", "$text-muted"),
                                          (", ".join(held), "italic")))
    parts += [Content(""), Content.styled("Decision rights", "bold $accent")]
    width = max((len(r) for r in policy.rights), default=10) + 2
    for right, roles in policy.rights.items():
        parts.append(Content.assemble(f" {right:<{width}}", (", ".join(roles), "bold")))
    parts += [Content(""), Content.styled("Keys", "bold $accent")]
    parts += [Content.assemble((f" {key:<8}", "bold"), text) for key, text in KEYS]
    return Content("\n").join(parts)


class GuideScreen(Screen[None]):
    """Scrollable guide; escape closes."""

    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "Close", key_display="esc")]
    DEFAULT_CSS = "#guide { border: round $primary; border-title-style: bold; padding: 0 1; }"

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="guide") as box:
            box.border_title = "Facilitation guide"
            yield Static(guide_text(war_app(self).policy), id="guide-text")
        yield KeyBar()
