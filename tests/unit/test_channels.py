"""`[channels.*]` and `[[triggers]]` in the config file: validated, errors name file, line and
key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from warroom.config import ConfigError, load_config
from warroom.config.schema.channels import ChannelError
from warroom.domain.models import Audience, ClockName, ClockState

ISSUE_EXAMPLE = """
[channels.northwind-email]
kind = "email"
smtp = "127.0.0.1:2525"
from = "warroom@example.com"
to = ["ops@northwind.example"]
audiences = ["customer"]
customers = ["Northwind Bank"]

[channels.exec-hook]
kind = "webhook"
url = "http://127.0.0.1:9000/hook"
audiences = ["executive", "internal"]

[channels.comms-slack]
kind = "slack"
url_env = "SLACK_HOOK"

[channels.ntfy]
kind = "apprise"
url = "json://127.0.0.1:9000/apprise"

[[triggers]]
when = "resolve:at_risk"
notify = "exec-hook"
[[triggers]]
when = "next_update:at_risk"
notify = "comms-slack"
"""


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "warroom.toml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_issue_example_loads(tmp_path: Path) -> None:
    delivery = load_config(write(tmp_path, ISSUE_EXAMPLE)).delivery
    assert delivery is not None
    email = delivery.channels["northwind-email"]
    assert (email.kind, email.host, email.port, email.sender) == (
        "email", "127.0.0.1", 2525, "warroom@example.com")
    assert email.recipients() == ("ops@northwind.example",)
    assert delivery.channels["exec-hook"].kind == "webhook"
    assert [(t.clock, t.state, t.notify) for t in delivery.triggers] == [
        (ClockName.RESOLVE, ClockState.AT_RISK, "exec-hook"),
        (ClockName.NEXT_UPDATE, ClockState.AT_RISK, "comms-slack")]
    assert [n for n, _ in delivery.matching(Audience.CUSTOMER, "Northwind Bank")] == [
        "comms-slack", "northwind-email", "ntfy"]
    assert [n for n, _ in delivery.matching(Audience.CUSTOMER, "Contoso")] == [
        "comms-slack", "ntfy"]
    assert [n for n, _ in delivery.matching(Audience.INTERNAL, "Contoso")] == ["exec-hook"]


def test_no_channels_means_nothing_leaves(tmp_path: Path) -> None:
    assert load_config(write(tmp_path, "")).delivery is None


@pytest.mark.parametrize(("text", "where", "problem"), [
    ('[channels.x]\nkind = "fax"\n', "channels.x.kind", "'email', 'webhook'"),
    ('[channels.x]\nkind = "email"\nsmtp = "localhost"\nfrom = "a@b"\nto = ["c@d"]\n',
     "channels.x.smtp", "host:port"),
    ('[channels.x]\nkind = "email"\nsmtp = "h:25"\nfrom = "a@b"\nto = []\n',
     "channels.x.to", "at least one recipient"),
    ('[channels.x]\nkind = "email"\nsmtp = "h:25"\nto = ["c@d"]\n',
     "channels.x.from", "missing"),
    ('[channels.x]\nkind = "webhook"\nurl = "http://h/"\naudiences = ["board"]\n',
     "channels.x.audiences[0]", "customer"),
    ('[channels.x]\nkind = "webhook"\nurl = "http://h/"\nurl_env = "X"\n',
     "channels.x.url", "exactly one of url and url_env"),
    ('[channels.x]\nkind = "webhook"\nurl = "http://h/"\nsmtp = "h:25"\n',
     "channels.x.smtp", "not a key of a webhook channel"),
    ('[channels.x]\nkind = "slack"\nurl = "http://h/"\ncolour = "red"\n',
     "channels.x.colour", "unknown key"),
    ('[[triggers]]\nwhen = "resolve:late"\nnotify = "x"\n', "triggers[0].when", "at_risk"),
    ('[[triggers]]\nwhen = "lunch:at_risk"\nnotify = "x"\n', "triggers[0].when", "clock"),
    ('[channels.x]\nkind = "slack"\nurl = "http://h/"\n[[triggers]]\nwhen = "resolve:breached"'
     '\nnotify = "y"\n', "triggers[0].notify", "unknown channel 'y'"),
])
def test_bad_channels_and_triggers_name_file_and_key(
        tmp_path: Path, text: str, where: str, problem: str) -> None:
    path = write(tmp_path, text)
    with pytest.raises(ConfigError) as caught:
        load_config(path)
    message = str(caught.value)
    assert re.match(rf"{re.escape(str(path))}(:\d+)?: {re.escape(where)}: ", message), message
    assert problem in message
    assert "\n" not in message


def test_secrets_come_from_the_environment_at_send_time(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    delivery = load_config(write(tmp_path, ISSUE_EXAMPLE)).delivery
    assert delivery is not None
    slack = delivery.channels["comms-slack"]
    with pytest.raises(ChannelError, match="SLACK_HOOK: environment variable is not set"):
        slack.target()
    monkeypatch.setenv("SLACK_HOOK", "https://hooks.example/T1/B2/secret")
    assert slack.target() == "https://hooks.example/T1/B2/secret"
    assert slack.recipients() == ("$SLACK_HOOK",)  # events never show the secret
