"""Slack incoming webhooks through the official `slack_sdk` WebhookClient. No Flask here.

Slack answers 200 "ok"; a refused payload is a 4xx with a short text (invalid_payload,
channel_not_found, no_service...); 404 and 410 mean the hook was revoked or its channel is gone;
429 carries Retry-After."""

from __future__ import annotations

from dataclasses import dataclass

from slack_sdk.webhook import WebhookClient

from .http import RetryableError


class SlackHookGone(RuntimeError):
    """404/410: the webhook was revoked, or its channel archived or deleted."""


class SlackRefused(RuntimeError):
    """Any other 4xx: this payload will never be accepted."""


@dataclass
class SlackMessage:
    text: str  # the plain-text fallback (notifications, screen readers, old clients)
    blocks: list | None = None


def _retry_after(headers: dict) -> float | None:
    for name, values in (headers or {}).items():
        if name.lower() == "retry-after":
            value = values[0] if isinstance(values, list) else values
            try:
                return max(0.0, float(value))
            except (TypeError, ValueError):
                return None
    return None


def post(url: str, message: SlackMessage, timeout: int = 20) -> None:
    """Post one message. Raises RetryableError (429 with its Retry-After, 5xx, network),
    SlackHookGone (404/410) or SlackRefused (other 4xx)."""
    client = WebhookClient(url, timeout=timeout)
    body = {"text": message.text}
    if message.blocks:
        body["blocks"] = message.blocks
    try:
        response = client.send_dict(body)
    except OSError as error:  # urllib's URLError, timeouts, refused connections
        raise RetryableError(f"Could not reach Slack: {type(error).__name__}") from None
    status, text = response.status_code, (response.body or "")[:200]
    if status == 200:
        return
    if status == 429:
        raise RetryableError("Slack is rate limiting this webhook", retry_after=_retry_after(response.headers))
    if status >= 500:
        raise RetryableError(f"Slack answered {status}: {text}")
    if status in (404, 410):
        raise SlackHookGone(f"Slack answered {status}: {text or 'the webhook is gone'}")
    raise SlackRefused(f"Slack answered {status}: {text}")
