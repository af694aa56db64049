"""What every inbound webhook adapter shares."""
from __future__ import annotations

from dataclasses import dataclass


class WebhookRejected(Exception):
    """The request is not a genuine, well-formed delivery: answer 400 and log the reason."""


@dataclass
class IncomingEvent:
    event_id: str
    event_type: str
    payload: str  # this event's JSON, stored as received
