"""PayPal Orders v2 over plain HTTP (the official Python SDKs are deprecated or cannot be pointed at
a fake), with our retry/breaker, `PayPal-Request-Id` idempotency and an OAuth token cached until it
expires.

Webhooks are verified by self-verification: RSA-SHA256 over
`transmission_id|transmission_time|webhook_id|crc32(body)` with the public key of the certificate
named in `PAYPAL-CERT-URL`, which is fetched only from PayPal's own hosts (or the configured API
host, which is how tests point it at a fake) and cached. The alternative is PayPal's postback
(`POST /v1/notifications/verify-webhook-signature`), one more round trip per delivery.
"""

from __future__ import annotations

import base64
import binascii
import json
import threading
import time
import zlib
from datetime import datetime
from urllib.parse import urlsplit

import requests
from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding

from ..http import RetryableError
from ..webhooks import IncomingEvent, WebhookRejected, load_json
from .base import (
    DISPUTED,
    FAILED,
    PAID,
    QUEUE,
    REFUNDED,
    Checkout,
    CheckoutRequest,
    CheckoutUnavailable,
    PaymentEvent,
    ProviderError,
    guarded,
    our_order_id,
    to_decimal_string,
    to_minor_units,
)

API_BASES = {"sandbox": "https://api-m.sandbox.paypal.com", "live": "https://api-m.paypal.com"}
_tokens: dict[tuple[str, str], tuple[str, float]] = {}  # (api base, client id) -> (token, expires at)
_certificates: dict[str, object] = {}  # certificate URL -> public key
_cache_lock = threading.Lock()
MAX_CERTIFICATE_BYTES = 64 * 1024


def reset_caches() -> None:
    with _cache_lock:
        _tokens.clear()
        _certificates.clear()


class PayPalPayments:
    name = "paypal"
    queue = QUEUE

    def __init__(
        self,
        client_id: str | None,
        client_secret: str | None,
        webhook_id: str | None,
        api_base: str | None = None,
        timeout: float = 10,
        max_age_seconds: int = 600,
    ):
        self.client_id, self.client_secret, self.webhook_id = client_id, client_secret, webhook_id
        self.api_base = (api_base or API_BASES["sandbox"]).rstrip("/")
        self.timeout, self.max_age_seconds = timeout, max_age_seconds
        self.session = requests.Session()

    @property
    def configured(self) -> bool:
        return bool(self.client_id and self.client_secret and self.webhook_id)

    # --- HTTP -----------------------------------------------------------------------------------------

    def _token(self) -> str:
        key = (self.api_base, self.client_id or "")
        with _cache_lock:
            cached = _tokens.get(key)
        if cached and cached[1] > time.monotonic():
            return cached[0]
        answer = self._send(
            "POST",
            "/v1/oauth2/token",
            auth=(self.client_id, self.client_secret),
            data={"grant_type": "client_credentials"},
        )
        # A minute's margin: a token must not expire between our check and PayPal's.
        expires_in = max(0, int(answer.get("expires_in") or 0) - 60)
        with _cache_lock:
            _tokens[key] = (answer["access_token"], time.monotonic() + expires_in)
        return answer["access_token"]

    def _send(self, method: str, path: str, **kwargs) -> dict:
        try:
            response = self.session.request(method, self.api_base + path, timeout=self.timeout, **kwargs)
        except requests.RequestException as error:
            raise RetryableError(f"PayPal unreachable: {error}") from error
        if response.status_code == 429 or response.status_code >= 500:
            raise RetryableError(f"PayPal answered {response.status_code}: {response.text[:300]}")
        try:
            body = response.json() if response.content else {}
        except ValueError:
            body = {}
        if response.status_code >= 400:
            raise PayPalRefused(response.status_code, body)
        return body

    def _api(self, method: str, path: str, request_id: str | None = None, payload: dict | None = None) -> dict:
        def attempt():
            headers = {"Authorization": f"Bearer {self._token()}", "Content-Type": "application/json"}
            if request_id:
                headers["PayPal-Request-Id"] = request_id
            try:
                return self._send(method, path, headers=headers, data=json.dumps(payload or {}))
            except PayPalRefused as error:
                if error.status == 401:  # the cached token was revoked: the next attempt gets a new one
                    with _cache_lock:
                        _tokens.pop((self.api_base, self.client_id or ""), None)
                raise

        return attempt

    # --- checkout, capture, refund ---------------------------------------------------------------------

    def start_checkout(self, request: CheckoutRequest) -> Checkout:
        if not self.configured:
            raise CheckoutUnavailable("not configured")
        if request.monthly:
            raise CheckoutUnavailable("monthly plans are sold through Stripe only")
        payload = {
            "intent": "CAPTURE",
            "purchase_units": [
                {
                    "reference_id": f"order-{request.order_id}",
                    "custom_id": str(request.order_id),
                    "description": request.description[:127],
                    "amount": {"currency_code": request.currency, "value": to_decimal_string(request.amount)},
                }
            ],
            "payment_source": {
                "paypal": {
                    "experience_context": {
                        "return_url": request.success_url,
                        "cancel_url": request.cancel_url,
                        "user_action": "PAY_NOW",
                        "shipping_preference": "NO_SHIPPING",
                    }
                }
            },
        }
        try:
            order = guarded(self.name, self._api("POST", "/v2/checkout/orders", request.idempotency_key, payload))
        except PayPalRefused as error:  # 422 CURRENCY_NOT_SUPPORTED, 401 a wrong key...
            raise CheckoutUnavailable(f"PayPal refused the order ({error.status}): {error.issue}") from error
        approve = next(
            (link["href"] for link in order.get("links", []) if link.get("rel") in ("payer-action", "approve")), None
        )
        if not approve or not order.get("id"):
            raise CheckoutUnavailable("PayPal answered without an approval link")
        return Checkout(order["id"], approve)

    def capture(self, paypal_order_id: str, order_id: int) -> str:
        """Capture an approved order (the buyer came back); returns the capture's status. Credits
        still wait for PAYMENT.CAPTURE.COMPLETED."""
        try:
            answer = guarded(
                self.name,
                self._api(
                    "POST", f"/v2/checkout/orders/{paypal_order_id}/capture", f"jobifies-order-{order_id}-capture"
                ),
                attempts=3,
            )
        except CheckoutUnavailable as error:
            raise ProviderError(str(error)) from error
        except PayPalRefused as error:
            if error.issue == "ORDER_ALREADY_CAPTURED":
                return "COMPLETED"
            raise ProviderError(f"PayPal refused the capture ({error.status}): {error.issue}") from error
        captures = [
            c for unit in answer.get("purchase_units", []) for c in unit.get("payments", {}).get("captures", [])
        ]
        return captures[0].get("status", "") if captures else answer.get("status", "")

    def refund(self, payment_id: str, amount: int, idempotency_key: str) -> str:
        if not self.configured:
            raise ProviderError("PayPal is not configured")
        try:
            answer = guarded(
                self.name, self._api("POST", f"/v2/payments/captures/{payment_id}/refund", idempotency_key), attempts=3
            )
        except CheckoutUnavailable as error:
            raise ProviderError(str(error)) from error
        except PayPalRefused as error:
            raise ProviderError(f"PayPal refused the refund ({error.status}): {error.issue}") from error
        return answer.get("id", "")

    # --- webhooks --------------------------------------------------------------------------------------

    def verify(self, body: bytes, headers) -> None:
        if not self.webhook_id:
            raise WebhookRejected("this endpoint is not configured to accept deliveries")
        transmission_id = headers.get("PAYPAL-TRANSMISSION-ID") or ""
        transmission_time = headers.get("PAYPAL-TRANSMISSION-TIME") or ""
        signature = headers.get("PAYPAL-TRANSMISSION-SIG") or ""
        cert_url = headers.get("PAYPAL-CERT-URL") or ""
        if not (transmission_id and transmission_time and signature and cert_url):
            raise WebhookRejected("missing PayPal transmission headers")
        if (headers.get("PAYPAL-AUTH-ALGO") or "SHA256withRSA") != "SHA256withRSA":
            raise WebhookRejected("unsupported signature algorithm")
        try:
            sent = datetime.fromisoformat(transmission_time.replace("Z", "+00:00")).timestamp()
        except ValueError:
            raise WebhookRejected("transmission time is not a date") from None
        age = time.time() - sent
        if abs(age) > self.max_age_seconds:
            raise WebhookRejected(f"timestamp is {int(age)} s old (limit {self.max_age_seconds} s)")
        message = f"{transmission_id}|{transmission_time}|{self.webhook_id}|{zlib.crc32(body) & 0xFFFFFFFF}"
        try:
            self._public_key(cert_url).verify(
                base64.b64decode(signature, validate=True), message.encode(), padding.PKCS1v15(), hashes.SHA256()
            )
        except (InvalidSignature, binascii.Error, ValueError, TypeError):
            raise WebhookRejected("signature does not match the body") from None

    def _trusted_certificate_url(self, url: str) -> bool:
        parts = urlsplit(url)
        host = (parts.hostname or "").lower()
        if parts.scheme == "https" and (host == "paypal.com" or host.endswith(".paypal.com")):
            return True
        configured = urlsplit(self.api_base)
        return (parts.scheme, parts.netloc) == (configured.scheme, configured.netloc)

    def _public_key(self, url: str):
        if not self._trusted_certificate_url(url):
            raise WebhookRejected("certificate URL is not a PayPal address")
        with _cache_lock:
            key = _certificates.get(url)
        if key is not None:
            return key
        try:
            response = self.session.get(url, timeout=self.timeout, allow_redirects=False, stream=True)
            pem = response.raw.read(MAX_CERTIFICATE_BYTES + 1, decode_content=True)
        except requests.RequestException as error:
            # Not the sender's fault: answer 400 so PayPal retries the delivery later.
            raise WebhookRejected(f"could not fetch the signing certificate: {error}") from None
        if response.status_code != 200 or len(pem) > MAX_CERTIFICATE_BYTES:
            raise WebhookRejected(f"could not fetch the signing certificate ({response.status_code})")
        try:
            certificate = x509.load_pem_x509_certificate(pem)
        except ValueError:
            raise WebhookRejected("the signing certificate is not a PEM certificate") from None
        key = certificate.public_key()
        with _cache_lock:
            _certificates[url] = key
        return key

    def parse(self, body: bytes) -> list[IncomingEvent]:
        event = load_json(body)
        if not isinstance(event, dict) or not event.get("id") or not isinstance(event.get("resource"), dict):
            raise WebhookRejected("expected a PayPal event object")
        return [
            IncomingEvent(
                str(event["id"])[:255], str(event.get("event_type", ""))[:80], json.dumps(event, separators=(",", ":"))
            )
        ]

    def interpret(self, event_type: str, payload: dict) -> PaymentEvent | None:
        resource = payload.get("resource") or {}
        if not isinstance(resource, dict):
            return None
        amount = resource.get("amount") if isinstance(resource.get("amount"), dict) else {}
        currency = str(amount.get("currency_code") or "").upper()[:3] or None
        if event_type == "PAYMENT.CAPTURE.COMPLETED":
            related = (resource.get("supplementary_data") or {}).get("related_ids") or {}
            return PaymentEvent(
                PAID,
                payment_id=_text(resource.get("id")),
                order_id=our_order_id(resource.get("custom_id")),
                provider_ref=_text(related.get("order_id")),
                amount=to_minor_units(amount.get("value")),
                currency=currency,
            )
        if event_type == "PAYMENT.CAPTURE.DENIED":
            return PaymentEvent(
                FAILED, order_id=our_order_id(resource.get("custom_id")), detail="PayPal denied the payment"
            )
        if event_type == "PAYMENT.CAPTURE.REFUNDED":
            capture = next(
                (
                    link.get("href", "").rstrip("/").rsplit("/", 1)[-1]
                    for link in resource.get("links", [])
                    if isinstance(link, dict) and link.get("rel") == "up"
                ),
                None,
            )
            return PaymentEvent(
                REFUNDED, payment_id=_text(capture), amount=to_minor_units(amount.get("value")), currency=currency
            )
        if event_type == "CUSTOMER.DISPUTE.CREATED":
            transactions = resource.get("disputed_transactions") or [{}]
            first = transactions[0] if isinstance(transactions[0], dict) else {}
            return PaymentEvent(DISPUTED, payment_id=_text(first.get("seller_transaction_id")))
        return None


class PayPalRefused(Exception):
    """PayPal answered 4xx: our request was refused (not PayPal being down)."""

    def __init__(self, status: int, body: dict):
        details = body.get("details") or [{}]
        self.status = status
        self.issue = str(
            (details[0] if isinstance(details[0], dict) else {}).get("issue")
            or body.get("name")
            or body.get("error")
            or ""
        )
        super().__init__(f"{status} {self.issue}")


def _text(value, limit: int = 255) -> str | None:
    return str(value)[:limit] if isinstance(value, str) and value else None
