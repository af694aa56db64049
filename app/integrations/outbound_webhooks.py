"""Sending our own webhooks: Stripe-style signatures, and the SSRF guard (no private, loopback or
link-local address, checked on the URL and on every DNS answer at delivery time)."""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import socket
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

import requests

SIGNATURE_HEADER = "Jobifies-Signature"


class UnsafeAddress(ValueError):
    """The URL's host is (or resolves to) an address we refuse to call."""


def sign(secret: str, body: bytes, timestamp: int | None = None) -> str:
    """`t=<unix>,v1=<hex HMAC-SHA256 of "t.body">`, as Stripe signs its webhooks."""
    timestamp = int(time.time()) if timestamp is None else timestamp
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


def _refused(address: str) -> bool:
    ip = ipaddress.ip_address(address)
    return not ip.is_global or ip.is_multicast


def check_url(url: str, allow_private: bool) -> None:
    """UnsafeAddress unless http(s) with a host whose every DNS answer is a public address."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.hostname:
        raise UnsafeAddress("Use an http:// or https:// URL.")
    if parts.username or parts.password:
        raise UnsafeAddress("Leave credentials out of the URL.")
    if allow_private:
        return
    try:
        answers = socket.getaddrinfo(parts.hostname, parts.port or (443 if parts.scheme == "https" else 80))
    except (socket.gaierror, UnicodeError, ValueError):
        raise UnsafeAddress(f"{parts.hostname} does not resolve.") from None
    if not answers or any(_refused(answer[4][0]) for answer in answers):
        raise UnsafeAddress(f"{parts.hostname} is a private, loopback or link-local address.")


@dataclass
class Attempt:
    status_code: int | None
    error: str | None
    duration_ms: int

    @property
    def ok(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300


def post(
    url: str, secret: str, body: bytes, event_id: str, event_type: str, *, timeout: float, allow_private: bool
) -> Attempt:
    """One signed POST. Never raises: the outcome is recorded on the delivery row. Redirects are not
    followed (a redirect could lead to an address the check refused)."""
    started = time.perf_counter()
    try:
        check_url(url, allow_private)
        response = requests.post(
            url,
            data=body,
            headers={
                "Content-Type": "application/json",
                "User-Agent": "Jobifies-Webhooks/1.0",
                SIGNATURE_HEADER: sign(secret, body),
                "Jobifies-Event-Id": event_id,
                "Jobifies-Event-Type": event_type,
            },
            timeout=timeout,
            allow_redirects=False,
        )
    except UnsafeAddress as error:
        return Attempt(None, str(error), int((time.perf_counter() - started) * 1000))
    except requests.RequestException as error:
        return Attempt(None, f"{type(error).__name__}: {str(error)[:300]}", int((time.perf_counter() - started) * 1000))
    return Attempt(response.status_code, None, int((time.perf_counter() - started) * 1000))
