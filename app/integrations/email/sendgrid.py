"""SendGrid v3 Mail Send through the official client, with timeouts, retries and a breaker."""

from __future__ import annotations

import urllib.error

from python_http_client import exceptions as http_errors
from sendgrid import SendGridAPIClient
from sendgrid.helpers.mail import CustomArg, Header, Mail

from ..http import RetryableError, call_with_retries
from .base import OutgoingEmail, PermanentEmailError, SendResult

DEFAULT_HOST = "https://api.sendgrid.com"


class SendGridSender:
    name = "sendgrid"

    def __init__(self, api_key: str, host: str | None = None, timeout: float = 10):
        self.client = SendGridAPIClient(api_key, host=host or DEFAULT_HOST)
        self.client.client.timeout = timeout  # the client has no default timeout

    def _mail(self, email: OutgoingEmail) -> Mail:
        mail = Mail(
            from_email=email.from_address,
            to_emails=email.to,
            subject=email.subject,
            html_content=email.html,
            plain_text_content=email.text,
        )
        # Our id travels with the message so the Event Webhook can be matched back to the row.
        mail.custom_arg = CustomArg("jobifies_message_id", str(email.message_id))
        for name, value in email.headers.items():
            mail.header = Header(name, value)
        return mail

    def send(self, email: OutgoingEmail) -> SendResult:
        payload = self._mail(email).get()

        def attempt():
            try:
                return self.client.client.mail.send.post(request_body=payload)
            except http_errors.HTTPError as error:
                status = getattr(error, "status_code", 0) or 0
                if status == 429 or status >= 500:
                    raise RetryableError(f"SendGrid {status}: {_body(error)}") from error
                raise PermanentEmailError(f"SendGrid {status}: {_body(error)}") from error
            except (urllib.error.URLError, TimeoutError, ConnectionError, OSError) as error:
                raise RetryableError(f"SendGrid unreachable: {error}") from error

        response = call_with_retries(self.name, attempt)
        return SendResult(provider=self.name, provider_message_id=response.headers.get("X-Message-Id"))


def _body(error) -> str:
    body = getattr(error, "body", b"") or b""
    return (body.decode("utf-8", "replace") if isinstance(body, bytes) else str(body))[:500]
