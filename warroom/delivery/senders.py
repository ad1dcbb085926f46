"""Sending one delivery down one channel: smtplib for email, httpx for webhook and Slack,
apprise for apprise URLs.

Why not apprise for all of them: we need a stable Message-ID with In-Reply-To/References (so
mail clients thread an escalation) and an `Idempotency-Key` header (so a webhook receiver can
drop a resend); apprise's email and Slack plugins set neither, and its Slack plugin only posts to
hooks.slack.com. apprise covers the hundred other services behind one URL convention.
"""

from __future__ import annotations

import errno
import functools
import smtplib
import ssl
from email.message import EmailMessage
from email.utils import formatdate
from typing import TYPE_CHECKING, Any

from warroom.config.schema.channels import Channel, ChannelError
from warroom.delivery.message import slack_body, webhook_body
from warroom.store.base import Delivery

if TYPE_CHECKING:
    import httpx


class SendError(Exception):
    """A send that did not happen; `str()` is a short reason (`connection refused`)."""


def send(channel: Channel, delivery: Delivery, timeout: float = 10.0) -> None:
    """Send `delivery` down `channel`, or raise SendError saying why not."""
    try:
        if channel.kind == "email":
            _email(channel, delivery, timeout)
        elif channel.kind == "apprise":
            _apprise(channel, delivery)
        else:
            _post(channel, delivery, timeout)
    except SendError:
        raise
    except ChannelError as exc:
        raise SendError(str(exc)) from None
    except OSError as exc:
        raise SendError(_os_reason(exc)) from None
    except smtplib.SMTPException as exc:
        raise SendError(f"SMTP: {_smtp_reason(exc)}") from None


def message_ids(delivery: Delivery, sender: str) -> tuple[str, str]:
    """(this message's Message-ID, the escalation thread's id): the same on every attempt."""
    domain = sender.rpartition("@")[2] or "warroom.invalid"
    return f"<{delivery.key}@{domain}>", f"<{delivery.incident_id}.thread@{domain}>"


def email_message(channel: Channel, delivery: Delivery) -> EmailMessage:
    """The plain-text mail for `delivery`, threaded under its escalation."""
    sender = str(channel.sender)
    message_id, thread = message_ids(delivery, sender)
    mail = EmailMessage()
    mail["Subject"] = delivery.message["subject"]
    mail["From"] = sender
    mail["To"] = ", ".join(channel.recipients())
    mail["Date"] = formatdate(delivery.created_at.timestamp(), usegmt=True)
    mail["Message-ID"] = message_id
    mail["In-Reply-To"] = thread
    mail["References"] = thread
    mail.set_content(delivery.message["body"])
    return mail


def _email(channel: Channel, delivery: Delivery, timeout: float) -> None:
    with smtplib.SMTP(channel.host, channel.port, timeout=timeout) as smtp:
        if channel.starttls:
            smtp.starttls(context=ssl.create_default_context())
        password = channel.password()
        if channel.username and password is not None:
            smtp.login(channel.username, password)
        refused = smtp.send_message(email_message(channel, delivery))
    if refused:
        raise SendError("recipients refused: " + ", ".join(sorted(refused)))


@functools.cache
def _client() -> httpx.Client:
    """One shared client: building one costs an SSL context (~0.1 s), so not one per send;
    it keeps connections alive between deliveries and is safe to share between threads."""
    import httpx

    return httpx.Client(follow_redirects=False)


def _post(channel: Channel, delivery: Delivery, timeout: float) -> None:
    import httpx

    body: dict[str, Any] = (slack_body(delivery.message) if channel.kind == "slack"
                            else webhook_body(delivery.message, delivery.key))
    try:
        response = _client().post(channel.target(), json=body, timeout=timeout,
                                  headers={"Idempotency-Key": delivery.key})
    except httpx.ConnectError as exc:
        cause = exc.__context__ if isinstance(exc.__context__, OSError) else None
        raise SendError(_os_reason(cause) if cause else _connect_reason(str(exc))) from None
    except httpx.TimeoutException:
        raise SendError("timed out") from None
    except httpx.HTTPError as exc:
        raise SendError(str(exc) or type(exc).__name__) from None
    if response.status_code >= 300:
        raise SendError(f"HTTP {response.status_code} {response.reason_phrase}".strip())


def _apprise(channel: Channel, delivery: Delivery) -> None:
    import logging

    import apprise

    notifier = apprise.Apprise()
    if not notifier.add(channel.target()):
        raise SendError("not an apprise URL apprise understands")
    with apprise.LogCapture(level=logging.WARNING) as log:
        ok = notifier.notify(title=delivery.message["subject"], body=delivery.message["body"])
        said = log.getvalue().strip().splitlines() if hasattr(log, "getvalue") else []
    if not ok:
        reason = said[-1].strip() if said else "apprise could not deliver"
        raise SendError(f"apprise: {reason}"[:300])


def _os_reason(exc: OSError) -> str:
    if isinstance(exc, ConnectionRefusedError) or exc.errno == errno.ECONNREFUSED:
        return "connection refused"
    if isinstance(exc, TimeoutError):
        return "timed out"
    return exc.strerror.lower() if exc.strerror else str(exc) or type(exc).__name__


def _connect_reason(text: str) -> str:
    return "connection refused" if "refused" in text.lower() else text or "cannot connect"


def _smtp_reason(exc: smtplib.SMTPException) -> str:
    if isinstance(exc, smtplib.SMTPResponseException):
        message = exc.smtp_error.decode(errors="replace") if isinstance(
            exc.smtp_error, bytes) else str(exc.smtp_error)
        return f"{exc.smtp_code} {message}"
    return str(exc) or type(exc).__name__
