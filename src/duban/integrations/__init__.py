"""Channels that carry notifications out of duban: WeCom and DingTalk group robots, e-mail over SMTP.

Each channel is a small class with `send(notice)` that raises `DeliveryError`
with a reason a supervisor can read; `connect` (in `registry`) builds one
from a stored configuration. Nothing here touches the database: the
delivery service in `duban.workflow.delivery` decides what to send and
records what happened.
"""
