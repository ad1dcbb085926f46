"""Signing off a PIR from its editor: completing it past blame findings, sending the customer
RCA summary through the customer's channels, or recording that it was sent by hand.

Each key checks the decision right first and says why it does nothing when it cannot act (no
form opens); the service checks everything again when the form is submitted.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from textual.binding import Binding

from warroom.domain.errors import RightRequired
from warroom.domain.post_commands import PirComplete, PirSend, PirSent
from warroom.domain.rights import require_right
from warroom.tui.app import war_app

if TYPE_CHECKING:
    from textual.dom import DOMNode

    from warroom.domain.models import IncidentState
    from warroom.tui.app import WarRoomApp


class PirSignOff:
    """Mixin for the PIR editor: the sign-off actions on `self.incident_id`."""

    SIGN_OFF_BINDINGS = [
        Binding("ctrl+f", "accept_findings", "Complete past findings"),
        Binding("ctrl+t", "send_rca", "Send RCA"),
        Binding("ctrl+b", "rca_sent", "RCA sent by hand"),
    ]

    incident_id: str
    if TYPE_CHECKING:
        @property
        def state(self) -> IncidentState: ...

        def _unsaved(self) -> bool: ...

        def notify(self, message: str, *, title: str = "", severity: Any = "information",
                   timeout: float | None = None, markup: bool = True) -> None: ...

    @property
    def _war(self) -> WarRoomApp:
        return war_app(cast("DOMNode", self))

    def _refuse_key(self, text: str) -> None:
        """Say why a key does nothing here."""
        self.notify(text, title="Refused", severity="error", timeout=8, markup=False)

    def _may(self, right: str, doing: str) -> bool:
        """Check the user holds `right`; otherwise say what they were doing and who may."""
        try:
            require_right(self.state, self._war.policy, self._war.user, right)
        except RightRequired as exc:
            self._refuse_key(f"{doing}: {exc}")
            return False
        return True

    def action_accept_findings(self) -> None:
        """Complete the PIR past its blame findings with a reason, recorded in the PIR (right
        complete_pir; anyone else is told why not)."""
        from warroom.domain.blameless import known_people
        from warroom.domain.pir import blame_blockers
        from warroom.tui.screens.form import Field, FormScreen

        if not self._may("complete_pir", "Completing past blame findings"):
            return
        if self._unsaved():
            self._refuse_key("Save your PIR changes first (ctrl+s): the findings you accept are "
                             "those of the saved PIR")
            return
        war = self._war
        findings = blame_blockers(self.state, known_people(war.states.values(), war.policy))
        if not findings:
            self._refuse_key("No blame findings to accept: ctrl+o completes the PIR")
            return
        war.ask(FormScreen(
            f"Complete the PIR of {self.incident_id} past its blame findings",
            [Field("reason", "Reason", placeholder="why the wording stands",
                   hint="recorded and shown in the PIR", aliases=("accept_findings",))],
            lambda v: PirComplete(incident_id=self.incident_id, accept_findings=v["reason"]),
            submit_label="Complete",
            note="Findings: " + "; ".join(f.describe() for f in findings)))

    def action_send_rca(self) -> None:
        """Send the customer RCA summary through the customer's channels, after saying where
        it goes; the PIR clock is met when a channel delivers it."""
        from warroom.tui.screens.form import FormScreen

        if not self._may("post_customer_update", "Sending the customer RCA"):
            return
        if self.state.pir_completed_at is None:
            self._refuse_key("The PIR is not complete: complete it (ctrl+o) before sending the "
                             "customer RCA")
            return
        where = self._rca_channels()
        if where is None:
            return
        self._war.ask(FormScreen(
            f"Send the customer RCA of {self.incident_id}", [],
            lambda v: PirSend(incident_id=self.incident_id), submit_label="Send",
            note=f"The customer RCA (pir {self.incident_id} --format md) goes to {where}. "
                 "The PIR clock is met when a channel delivers it."))

    def _rca_channels(self) -> str | None:
        """Where the customer RCA goes, in words; None (and the user told so) when no
        configured channel takes it. A server knows its own channels."""
        from warroom.service.remote import RemoteWarRoom

        service = self._war.service
        if isinstance(service, RemoteWarRoom):
            return "the customer's channels (the server's)"
        customer = self.state.customer
        delivery = service.delivery
        channels = delivery.matching("customer", customer) if delivery else []
        if not channels:
            self._refuse_key(f"No channel takes customer messages for {customer}: "
                             "send the RCA yourself and record it with ctrl+b")
            return None
        return "; ".join(f"{name} ({', '.join(ch.recipients())})" for name, ch in channels)

    def action_rca_sent(self) -> None:
        """Record that the customer RCA summary was sent by hand, and to whom."""
        from warroom.tui.screens.form import Field, FormScreen

        if not self._may("post_customer_update", "Recording the customer RCA as sent"):
            return
        self._war.ask(FormScreen(
            f"Customer RCA of {self.incident_id} sent by hand", [
                Field("to", "Sent to", placeholder="cto@customer.example, ops@customer.example",
                      hint="addresses, separated by commas or spaces")],
            lambda v: PirSent(incident_id=self.incident_id,
                              to=v["to"].replace(",", " ").split()),
            submit_label="Record", note="This meets the PIR clock."))
