"""Twilio Programmable Messaging through the official `twilio` client: sending SMS and WhatsApp,
and the status-callback / inbound-message webhook (X-Twilio-Signature, checked by RequestValidator).
No Flask here."""

from __future__ import annotations

import json
import logging
from urllib.parse import parse_qsl, urlsplit

import requests
from twilio.base.exceptions import TwilioRestException
from twilio.http.http_client import TwilioHttpClient
from twilio.request_validator import RequestValidator
from twilio.rest import Client
from werkzeug.datastructures import MultiDict

from ..http import RetryableError
from ..webhooks import IncomingEvent, WebhookRejected, clean_text
from .base import OutgoingText, PermanentTextError, TextResult

log = logging.getLogger(__name__)
# The client logs every request's headers at INFO (ten lines per text): keep its warnings only.
logging.getLogger("twilio.http_client").setLevel(logging.WARNING)
TWILIO_API = "https://api.twilio.com"
# Twilio error 21610: the recipient replied STOP; every later message to them is refused.
UNSUBSCRIBED_RECIPIENT = 21610
CALLBACK_PATH = "/webhooks/twilio"


class _RebasedHttpClient(TwilioHttpClient):
    """Twilio's client has its API address built in; this sends its requests to another base
    (a local fake in tests and benchmarks). Everything else is the client's own code path."""

    def __init__(self, base: str, **kwargs):
        super().__init__(**kwargs)
        self.base = base.rstrip("/")

    def request(self, method, url, *args, **kwargs):
        parts = urlsplit(url)
        rebased = self.base + parts.path + (f"?{parts.query}" if parts.query else "")
        return super().request(method, rebased, *args, **kwargs)


class TwilioTextSender:
    name = "twilio"

    def __init__(
        self,
        account_sid: str,
        auth_token: str,
        phone_number: str | None,
        messaging_service_sid: str | None,
        whatsapp_from: str | None,
        api_base: str | None = None,
        timeout: int = 20,
    ):
        http_client = (
            _RebasedHttpClient(api_base, timeout=timeout)
            if api_base and api_base.rstrip("/") != TWILIO_API
            else TwilioHttpClient(timeout=timeout)
        )
        self.client = Client(account_sid, auth_token, http_client=http_client)
        self.phone_number, self.messaging_service_sid = phone_number, messaging_service_sid
        self.whatsapp_from = whatsapp_from

    def send(self, text: OutgoingText) -> TextResult:
        """Raises RetryableError (429, 5xx, network) or PermanentTextError (any other refusal)."""
        kwargs = {"body": text.body}
        if text.status_callback:
            kwargs["status_callback"] = text.status_callback
        if text.whatsapp:
            if not self.whatsapp_from:
                raise PermanentTextError("WhatsApp is not set up on this site (TWILIO_WHATSAPP_FROM).")
            kwargs["to"], kwargs["from_"] = f"whatsapp:{text.to}", self.whatsapp_from
        else:
            kwargs["to"] = text.to
            # A messaging service handles STOP/START itself and picks the sender from its pool.
            if self.messaging_service_sid:
                kwargs["messaging_service_sid"] = self.messaging_service_sid
            else:
                kwargs["from_"] = self.phone_number
        try:
            message = self.client.messages.create(**kwargs)
        except TwilioRestException as error:
            if error.status == 429 or error.status >= 500:
                raise RetryableError(f"Twilio answered {error.status}: {error.msg}") from None
            raise PermanentTextError(
                f"Twilio refused the message ({error.code}): {error.msg}",
                opted_out=error.code == UNSUBSCRIBED_RECIPIENT,
            ) from None
        except requests.RequestException as error:
            raise RetryableError(f"Could not reach Twilio: {type(error).__name__}") from None
        return TextResult(provider="twilio", provider_message_id=message.sid, status=message.status or "queued")


class OutboxTextSender:
    """No Twilio configured: the message is kept in the database and shown in the dev outbox."""

    name = "outbox"

    def send(self, text: OutgoingText) -> TextResult:
        log.info("SMS to the dev outbox (no TWILIO_ACCOUNT_SID)")
        return TextResult(provider="outbox", provider_message_id="", status="sent")


class TwilioWebhook:
    """Status callbacks (queued, sent, delivered, undelivered, failed) and inbound messages
    (STOP/START), both posted form-encoded to <BASE_URL>/webhooks/twilio.

    The signature covers the URL Twilio called, so it is rebuilt from BASE_URL (a proxy in front
    changes the scheme and host the app sees). A status callback is one event per MessageSid +
    status, so a repeated delivery is stored once."""

    name = "twilio"
    queue = "low"
    content_type = "application/x-www-form-urlencoded"

    def __init__(self, auth_token: str | None, base_url: str):
        self.validator = RequestValidator(auth_token) if auth_token else None
        self.url = base_url.rstrip("/") + CALLBACK_PATH

    @staticmethod
    def _params(body: bytes) -> MultiDict:
        try:
            return MultiDict(parse_qsl(body.decode("utf-8"), keep_blank_values=True, max_num_fields=200))
        except (UnicodeDecodeError, ValueError):
            raise WebhookRejected("body is not a form") from None

    def verify(self, body: bytes, headers) -> None:
        if self.validator is None:
            log.warning("Twilio webhook received, but TWILIO_AUTH_TOKEN is not set")
            raise WebhookRejected("this endpoint is not configured to accept deliveries")
        signature = headers.get("X-Twilio-Signature") or ""
        if not signature or not self.validator.validate(self.url, self._params(body), signature):
            raise WebhookRejected("signature does not match")

    def parse(self, body: bytes) -> list[IncomingEvent]:
        params = self._params(body)
        sid = clean_text(params.get("MessageSid") or params.get("SmsSid") or "")[:64]
        if not sid:
            raise WebhookRejected("no MessageSid")
        status = clean_text(params.get("MessageStatus") or params.get("SmsStatus") or "").lower()[:30]
        payload = json.dumps({key: clean_text(value)[:2000] for key, value in params.items()}, separators=(",", ":"))
        if status == "received" or (params.get("Body") is not None and not params.get("MessageStatus")):
            return [IncomingEvent(event_id=f"{sid}:inbound", event_type="inbound", payload=payload)]
        if not status:
            raise WebhookRejected("no MessageStatus")
        return [IncomingEvent(event_id=f"{sid}:{status}", event_type=f"status.{status}", payload=payload)]
