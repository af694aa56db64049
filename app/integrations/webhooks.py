"""What every inbound webhook adapter shares: the rejection error, the parsed event, and a JSON
reader that never lets hostile input reach the database or blow the stack."""

from __future__ import annotations

import json
from dataclasses import dataclass

MAX_DEPTH = 32  # real provider payloads nest 3-5 levels
MAX_HEADER_DIGITS = 12  # a Unix timestamp has 10


class WebhookRejected(Exception):
    """The request is not a genuine, well-formed delivery: answer 400 and log the reason."""


@dataclass
class IncomingEvent:
    event_id: str
    event_type: str
    payload: str  # this event's JSON, stored as received (after cleaning)


def clean_text(value: str) -> str:
    """No NUL (PostgreSQL text cannot hold it) and no lone surrogates (not encodable as UTF-8)."""
    value = value.replace("\x00", "")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        value = value.encode("utf-8", "replace").decode("utf-8")
    return value


def _clean(value, depth: int = 0):
    if depth > MAX_DEPTH:
        raise WebhookRejected(f"JSON nested deeper than {MAX_DEPTH} levels")
    if isinstance(value, str):
        return clean_text(value)
    if isinstance(value, list):
        return [_clean(item, depth + 1) for item in value]
    if isinstance(value, dict):
        return {clean_text(str(key)): _clean(item, depth + 1) for key, item in value.items()}
    return value


def load_json(body: bytes):
    """The body as JSON with every string cleaned; WebhookRejected for anything else (invalid,
    truncated, or nested past MAX_DEPTH, which would otherwise exhaust the recursion limit)."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        raise WebhookRejected("body is not valid JSON (truncated?)") from None
    except RecursionError:
        raise WebhookRejected(f"JSON nested deeper than {MAX_DEPTH} levels") from None
    return _clean(data)


def unix_timestamp(raw: str | None) -> int:
    """A timestamp header as an int; WebhookRejected unless it is a plain, short number."""
    raw = (raw or "").strip()
    if not raw.isdigit() or len(raw) > MAX_HEADER_DIGITS:
        raise WebhookRejected("timestamp header is not a Unix time")
    return int(raw)
