"""Alerts in: Alertmanager, PagerDuty and generic JSON webhooks mapped onto escalations.

`payloads` validates what the senders post (pydantic), `settings` is the `[hooks.*]` config,
`signals` maps a payload onto `AlertSignal`s (pure), `signature` checks PagerDuty's HMAC.
The server's `routes.hooks` ties them to `WarRoom.execute`.
"""
