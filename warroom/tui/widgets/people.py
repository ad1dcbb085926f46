"""People panes: roles with their holders and decision rights, and open commitments."""

from __future__ import annotations

from textual.content import Content
from textual.reactive import reactive

from warroom.domain.policy import Policy
from warroom.tui.view import (
    NO_ESCALATION,
    Board,
    commitment_overdue,
    dual,
    duration,
    ordered_commitments,
)
from warroom.tui.widgets.live_text import LiveText, set_subtitle


def rights_by_role(policy: Policy) -> dict[str, list[str]]:
    """Decision rights each role holds (`anyone` rights are left out: everyone has them)."""
    held: dict[str, list[str]] = {role: [] for role in policy.roles}
    for right, roles in policy.rights.items():
        for role in roles:
            if role in held:
                held[role].append(right)
    return held


class RolesPane(LiveText):
    """Each role, who holds it (vacant roles stand out), and which decisions it holds."""

    board: reactive[Board | None] = reactive(None, init=False, repaint=False)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(NO_ESCALATION, id=id, classes=classes)
        self.border_title = "Roles and decision rights"

    def watch_board(self, board: Board | None) -> None:
        if board is None:
            return
        policy, roles = board.policy, board.state.roles
        rights = rights_by_role(policy)
        vacant = [r for r in policy.roles if not roles.get(r)]
        self.set_class(bool(vacant), "-vacant")
        width = max((len(r) for r in policy.roles), default=10) + 1
        lines: list[Content] = []
        for role in policy.roles:
            person = roles.get(role)
            who = (f"{person}", "bold") if person else ("⚠ VACANT", "bold reverse $role-vacant")
            lines.append(Content.assemble((f"{role:<{width}}", "$text-muted"), who))
            if rights[role]:
                lines.append(Content.assemble(
                    ("   decides: ", "$text-muted"), (", ".join(rights[role]), "italic"),
                ))
        for role in sorted(set(roles) - set(policy.roles)):
            lines.append(Content.assemble((f"{role:<{width}}", "$text-muted"), roles[role]))
        set_subtitle(self, f"⚠ {len(vacant)} vacant" if vacant else "all roles filled")
        self.show(Content("\n").join(lines))


class CommitmentsPane(LiveText):
    """Open commitments: text, owner, due countdown; overdue ones first and marked."""

    board: reactive[Board | None] = reactive(None, init=False, repaint=False)

    def __init__(self, *, id: str | None = None, classes: str | None = None) -> None:
        super().__init__(NO_ESCALATION, id=id, classes=classes)
        self.border_title = "Open commitments"

    def watch_board(self, board: Board | None) -> None:
        if board is None:
            return
        promises = ordered_commitments(board.state, board.now)
        late = [c for c in promises if commitment_overdue(c, board.now)]
        self.set_class(bool(late), "-breached")
        overdue = f"✖ {len(late)} overdue · " if late else ""
        set_subtitle(self, f"{overdue}{len(promises)} open")
        if not promises:
            self.show(Content.styled("No open commitments", "$text-muted"))
            return
        lines: list[Content] = []
        for c in promises:
            left = (c.due_at - board.now).total_seconds()
            if left < 0:
                mark = (f"✖ OVERDUE {duration(left):>7}", "bold reverse $sla-breached")
            elif c.state.value == "renegotiated":
                mark = (f"↻ due in {duration(left):>7}", "$sla-at-risk")
            else:
                mark = (f"● due in {duration(left):>7}", "$sla-ok")
            lines.append(Content.assemble(mark, " ", (c.id, "bold"), " ", c.text))
            lines.append(Content.assemble(
                ("   owner ", "$text-muted"), (c.owner, "bold"),
                ("  due " + dual(c.due_at, board.tz, now=board.now), "$text-muted"),
            ))
        self.show(Content("\n").join(lines))
