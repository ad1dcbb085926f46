"""The facilitation guide, built from config: the rules, cadence per severity, roles and their
duties, decision rights, and every key."""

from __future__ import annotations

from rich.table import Table
from rich.text import Text
from textual.app import ComposeResult
from textual.binding import Binding
from textual.containers import VerticalScroll
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


def grid(*headers: str, right: tuple[int, ...] = ()) -> Table:
    """A borderless table whose columns always keep two spaces between them: a cell too wide
    for its column wraps inside it (never into the next column)."""
    table = Table(box=None, pad_edge=False, padding=(0, 1), show_header=any(headers),
                  header_style="bold", expand=False)
    for n, header in enumerate(headers):
        table.add_column(header, justify="right" if n in right else "left", overflow="fold")
    return table


def cadence_table(policy: Policy) -> Table:
    """Targets per severity: one row each."""
    table = grid("", "label", "triage", "first", "every", "resolve", "PIR", "calendar",
                 right=(2, 3, 4, 5, 6))
    for severity, sp in policy.severities.items():
        pir = span(sp.pir_due.total_seconds()) if sp.pir_due else "optional"
        cells = [span(d.total_seconds()) for d in
                 (sp.triage, sp.first_update, sp.update_every, sp.resolve)]
        table.add_row(Text(severity.value, style="bold"), sp.label, *cells, pir, sp.calendar)
    return table


def roles_table(policy: Policy) -> Table:
    """Each role: its title, duties (wrapped under their bullet) and the decisions it holds."""
    table = grid("", "")
    for n, (role, info) in enumerate(policy.roles.items()):
        if n:
            table.add_row("", "")
        table.add_row("", Text.assemble((info.title, "bold"), (f" ({role})", "italic")))
        for duty in info.duties:
            table.add_row("•", duty)
        held = [r for r, roles in policy.rights.items() if role in roles]
        if held:
            table.add_row("", Text.assemble("decides: ", (", ".join(held), "italic")))
    return table


def rights_table(policy: Policy) -> Table:
    """Who decides what: one decision right a row."""
    table = grid("decision", "who decides")
    for right, roles in policy.rights.items():
        table.add_row(right, Text(", ".join(roles), style="bold"))
    return table


def keys_table() -> Table:
    """Every key and what it does."""
    table = grid("key", "does")
    for key, text in KEYS:
        table.add_row(Text(key, style="bold"), text)
    return table


def rules_table() -> Table:
    """The rules of the room, numbered (each wraps under its own text)."""
    table = grid("", "")
    for n, (rule, text) in enumerate(RULES, start=1):
        table.add_row(f"{n}.", Text.assemble((rule, "bold"), f" — {text}"))
    return table


def guide_sections(policy: Policy) -> list[tuple[str, Table]]:
    """The guide: (heading, table) in reading order."""
    return [("The rules", rules_table()), ("Update cadence per severity", cadence_table(policy)),
            ("Roles and duties", roles_table(policy)), ("Decision rights", rights_table(policy)),
            ("Keys", keys_table())]


class GuideScreen(Screen[None]):
    """Scrollable guide; escape closes."""

    BINDINGS = [Binding("escape,q,question_mark", "app.pop_screen", "Close", key_display="esc")]
    DEFAULT_CSS = """
    #guide { border: round $primary; border-title-style: bold; padding: 0 1; }
    #guide .heading { color: $accent; text-style: bold; margin-top: 1; }
    #guide .heading.-first { margin-top: 0; }
    #guide .guide-table { padding-left: 1; }
    """

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="guide") as box:
            box.border_title = "Facilitation guide"
            for n, (heading, body) in enumerate(guide_sections(war_app(self).policy)):
                yield Static(heading, classes="heading -first" if n == 0 else "heading")
                yield Static(body, classes="guide-table")
        yield KeyBar()
