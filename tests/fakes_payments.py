"""Fakes of Stripe, Razorpay and PayPal for the real clients (the `stripe` and `razorpay` SDKs, our
PayPal HTTP client), real webhook signatures made the documented way, and fixtures wiring them in.

Each fake is a ThreadingHTTPServer on 127.0.0.1 that speaks the API's documented request and answer
shapes for the calls we make, records every request (path, headers, body), honours idempotency keys
like the real API (the same key answers the same object), and can be scripted to fail: a status
(500, 503, 400...) or a delay longer than the client's timeout, consumed in order.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import hmac
import itertools
import json
import threading
import time
import zlib
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs

import pytest
import stripe
from conftest import app_config
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID
from servers import LocalHTTPServer

STRIPE_WEBHOOK_SECRET = "whsec_test_secret"
RAZORPAY_WEBHOOK_SECRET = "rzp-webhook-secret"
RAZORPAY_KEY_SECRET = "rzp-key-secret"
PAYPAL_WEBHOOK_ID = "WH-TEST-1234"


@dataclass
class Scripted:
    status: int = 200
    delay: float = 0.0
    body: dict | None = None


class FakeProvider(LocalHTTPServer):
    """Routes requests to `answer(method, path, headers, body) -> (status, dict)`; records them."""

    def __init__(self):
        self.requests: list[dict] = []
        self.script: list[Scripted] = []
        self.lock = threading.Lock()
        self.ids = itertools.count(1)
        self.idempotent: dict[str, tuple[int, dict]] = {}
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def _handle(self, method):
                raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                headers = {k.lower(): v for k, v in self.headers.items()}
                request = {"method": method, "path": self.path, "headers": headers, "raw": raw}
                with fake.lock:
                    fake.requests.append(request)
                    scripted = fake.script.pop(0) if fake.script and fake.scripted(request) else None
                if scripted and scripted.delay:
                    time.sleep(scripted.delay)
                if scripted and scripted.status != 200:
                    status, payload = scripted.status, scripted.body or fake.error_body(scripted.status)
                else:
                    status, payload = fake.answer(method, self.path, headers, raw)
                data = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
                try:
                    self.send_response(status)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(data)))
                    self.end_headers()
                    self.wfile.write(data)
                except (BrokenPipeError, ConnectionResetError):  # the client timed out and left
                    pass

            def do_POST(self):
                self._handle("POST")

            def do_GET(self):
                self._handle("GET")

        self._serve(Handler)

    def scripted(self, request) -> bool:
        """Whether a scripted failure applies to this request (all do, by default)."""
        return True

    def fail(self, times: int = 1, status: int = 500, delay: float = 0.0) -> None:
        self.script += [Scripted(status, delay) for _ in range(times)]

    def error_body(self, status: int) -> dict:
        return {"error": {"message": f"fake {status}"}}

    def once(self, key: str | None, make):
        """The idempotency rule: the same key answers the same object."""
        if key is None:
            return make()
        with self.lock:
            if key not in self.idempotent:
                self.idempotent[key] = make()
            return self.idempotent[key]

    def posts(self, prefix: str) -> list[dict]:
        return [r for r in self.requests if r["method"] == "POST" and r["path"].startswith(prefix)]


# --- Stripe ---------------------------------------------------------------------------------------


def _form(raw: bytes) -> dict:
    """Stripe's form encoding (line_items[0][price_data][currency]=usd) as flat keys."""
    return {key: values[0] for key, values in parse_qs(raw.decode()).items()}


class FakeStripe(FakeProvider):
    def error_body(self, status):
        kind = "invalid_request_error" if status < 500 else "api_error"
        return {"error": {"type": kind, "message": f"fake {status}"}}

    def answer(self, method, path, headers, raw):
        key = headers.get("idempotency-key")
        form = _form(raw) if raw else {}
        if path == "/v1/checkout/sessions":
            if form.get("line_items[0][price_data][currency]") not in ("usd", "eur", "gbp", "inr"):
                return 400, {
                    "error": {"type": "invalid_request_error", "param": "currency", "message": "Invalid currency."}
                }

            def make():
                n = next(self.ids)
                return 200, {
                    "id": f"cs_test_{n}",
                    "object": "checkout.session",
                    "mode": form.get("mode"),
                    "client_reference_id": form.get("client_reference_id"),
                    "status": "open",
                    "url": f"https://checkout.stripe.com/c/pay/cs_test_{n}",
                }

            return self.once(key, make)
        if path == "/v1/refunds":
            return self.once(
                key,
                lambda: (
                    200,
                    {
                        "id": f"re_{next(self.ids)}",
                        "object": "refund",
                        "payment_intent": form.get("payment_intent"),
                        "amount": int(form.get("amount", 0)),
                        "status": "succeeded",
                    },
                ),
            )
        if path.startswith("/v1/invoices/"):
            invoice = path.rsplit("/", 1)[-1]
            return 200, {"id": invoice, "object": "invoice", "payment_intent": f"pi_for_{invoice}"}
        if path == "/v1/billing_portal/sessions":
            return 200, {
                "id": "bps_1",
                "object": "billing_portal.session",
                "customer": form.get("customer"),
                "url": "https://billing.stripe.com/p/session/test_1",
            }
        return 404, {"error": {"type": "invalid_request_error", "message": f"no route {path}"}}

    def sessions(self) -> list[dict]:
        return [
            _form(r["raw"]) | {"idempotency-key": r["headers"].get("idempotency-key")}
            for r in self.posts("/v1/checkout/sessions")
        ]


def stripe_event(event_type: str, obj: dict, event_id: str | None = None) -> str:
    return json.dumps(
        {
            "id": event_id or f"evt_{hashlib.md5(json.dumps(obj).encode()).hexdigest()[:12]}_{event_type}",
            "object": "event",
            "type": event_type,
            "api_version": "2024-06-20",
            "created": int(time.time()),
            "data": {"object": obj},
        }
    )


def stripe_headers(body: str, timestamp: int | None = None, secret: str = STRIPE_WEBHOOK_SECRET) -> dict:
    return {
        "Content-Type": "application/json",
        "Stripe-Signature": stripe.WebhookSignature.generate_signature_header(body, secret, timestamp=timestamp),
    }


def stripe_session_completed(
    order_id: int,
    session_id: str,
    payment_intent: str = "pi_1",
    amount: int = 4900,
    currency: str = "usd",
    paid: bool = True,
    **extra,
) -> dict:
    return {
        "id": session_id,
        "object": "checkout.session",
        "mode": "payment",
        "client_reference_id": str(order_id),
        "payment_status": "paid" if paid else "unpaid",
        "payment_intent": payment_intent,
        "amount_total": amount,
        "currency": currency,
        "customer": "cus_1",
        **extra,
    }


# --- Razorpay --------------------------------------------------------------------------------------


class FakeRazorpay(FakeProvider):
    currencies = ("INR", "USD", "EUR", "GBP")

    def error_body(self, status):
        code = "BAD_REQUEST_ERROR" if status < 500 else "SERVER_ERROR"
        return {"error": {"code": code, "description": f"fake {status}"}}

    def answer(self, method, path, headers, raw):
        body = json.loads(raw or b"{}")
        if path == "/v1/orders":
            if body.get("currency") not in self.currencies:
                return 400, {"error": {"code": "BAD_REQUEST_ERROR", "description": "Currency is not supported"}}
            n = next(self.ids)
            return 200, {
                "id": f"order_{n:014d}",
                "entity": "order",
                "amount": body["amount"],
                "currency": body["currency"],
                "receipt": body.get("receipt"),
                "status": "created",
                "notes": body.get("notes", {}),
            }
        if path.startswith("/v1/payments/") and path.endswith("/refund"):
            payment_id = path.split("/")[3]
            return 200, {
                "id": f"rfnd_{next(self.ids)}",
                "entity": "refund",
                "payment_id": payment_id,
                "amount": body.get("amount"),
            }
        return 404, {"error": {"code": "BAD_REQUEST_ERROR", "description": f"no route {path}"}}


def razorpay_event(
    event_type: str, payment: dict | None = None, order: dict | None = None, refund: dict | None = None
) -> str:
    payload = {}
    for name, entity in (("payment", payment), ("order", order), ("refund", refund)):
        if entity is not None:
            payload[name] = {"entity": entity}
    return json.dumps(
        {
            "entity": "event",
            "account_id": "acc_test",
            "event": event_type,
            "contains": list(payload),
            "payload": payload,
            "created_at": int(time.time()),
        }
    )


def razorpay_payment(payment_id: str, order_ref: str, amount: int = 399900, status: str = "captured") -> dict:
    return {
        "id": payment_id,
        "entity": "payment",
        "amount": amount,
        "currency": "INR",
        "status": status,
        "order_id": order_ref,
        "method": "upi",
        "notes": {},
        "amount_refunded": 0,
    }


def razorpay_headers(body: str, event_id: str, secret: str = RAZORPAY_WEBHOOK_SECRET) -> dict:
    signature = hmac.new(secret.encode(), body.encode(), hashlib.sha256).hexdigest()
    return {"Content-Type": "application/json", "X-Razorpay-Signature": signature, "X-Razorpay-Event-Id": event_id}


# --- PayPal ----------------------------------------------------------------------------------------


class PayPalSigner:
    """An RSA key and self-signed certificate, like the one PayPal signs webhooks with."""

    def __init__(self):
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "messageverificationcerts.paypal.test")])
        now = dt.datetime.now(dt.UTC)
        self.certificate_pem = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(self.key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - dt.timedelta(days=1))
            .not_valid_after(now + dt.timedelta(days=30))
            .sign(self.key, hashes.SHA256())
            .public_bytes(serialization.Encoding.PEM)
        )

    def headers(
        self,
        body: str,
        cert_url: str,
        webhook_id: str = PAYPAL_WEBHOOK_ID,
        when: dt.datetime | None = None,
        transmission_id: str | None = None,
    ) -> dict:
        transmission_id = transmission_id or f"tx-{time.time_ns()}"
        stamp = (when or dt.datetime.now(dt.UTC)).strftime("%Y-%m-%dT%H:%M:%SZ")
        message = f"{transmission_id}|{stamp}|{webhook_id}|{zlib.crc32(body.encode()) & 0xFFFFFFFF}"
        signature = self.key.sign(message.encode(), padding.PKCS1v15(), hashes.SHA256())
        return {
            "Content-Type": "application/json",
            "PAYPAL-TRANSMISSION-ID": transmission_id,
            "PAYPAL-TRANSMISSION-TIME": stamp,
            "PAYPAL-TRANSMISSION-SIG": base64.b64encode(signature).decode(),
            "PAYPAL-CERT-URL": cert_url,
            "PAYPAL-AUTH-ALGO": "SHA256withRSA",
        }


class FakePayPal(FakeProvider):
    def __init__(self):
        super().__init__()
        self.signer = PayPalSigner()
        self.tokens_issued = 0

    @property
    def cert_url(self) -> str:
        return f"{self.url}/v1/notifications/certs/CERT-test"

    def scripted(self, request):
        return request["path"] != "/v1/oauth2/token"  # scripted failures hit the API calls

    def error_body(self, status):
        return {"name": "INTERNAL_SERVER_ERROR" if status >= 500 else "INVALID_REQUEST", "details": [{"issue": "FAKE"}]}

    def answer(self, method, path, headers, raw):
        if path == "/v1/oauth2/token":
            if not headers.get("authorization", "").startswith("Basic "):
                return 401, {"error": "invalid_client"}
            self.tokens_issued += 1
            return 200, {"access_token": f"A21-token-{self.tokens_issued}", "token_type": "Bearer", "expires_in": 32400}
        if path.startswith("/v1/notifications/certs/"):
            return 200, self.certificate_pem_bytes()
        if not headers.get("authorization", "").startswith("Bearer A21-token-"):
            return 401, {"name": "AUTHENTICATION_FAILURE"}
        key = headers.get("paypal-request-id")
        body = json.loads(raw or b"{}")
        if path == "/v2/checkout/orders":
            unit = body["purchase_units"][0]
            if unit["amount"]["currency_code"] not in ("USD", "EUR", "GBP"):
                return 422, {"name": "UNPROCESSABLE_ENTITY", "details": [{"issue": "CURRENCY_NOT_SUPPORTED"}]}

            def make():
                order_id = f"5O{next(self.ids):015d}"
                return 201, {
                    "id": order_id,
                    "status": "PAYER_ACTION_REQUIRED",
                    "links": [
                        {"rel": "self", "href": f"{self.url}/v2/checkout/orders/{order_id}"},
                        {"rel": "payer-action", "href": f"https://www.sandbox.paypal.com/checkoutnow?token={order_id}"},
                    ],
                }

            return self.once(key, make)
        if path.startswith("/v2/checkout/orders/") and path.endswith("/capture"):
            order_id = path.split("/")[4]
            return self.once(
                key,
                lambda: (
                    201,
                    {
                        "id": order_id,
                        "status": "COMPLETED",
                        "purchase_units": [
                            {"payments": {"captures": [{"id": f"CAP{next(self.ids):010d}", "status": "COMPLETED"}]}}
                        ],
                    },
                ),
            )
        if path.startswith("/v2/payments/captures/") and path.endswith("/refund"):
            return self.once(key, lambda: (201, {"id": f"REF{next(self.ids):010d}", "status": "COMPLETED"}))
        return 404, {"name": "RESOURCE_NOT_FOUND"}

    def certificate_pem_bytes(self) -> bytes:
        return self.signer.certificate_pem

    def headers(self, body: str, **kwargs) -> dict:
        return self.signer.headers(body, self.cert_url, **kwargs)


def paypal_event(event_type: str, resource: dict, event_id: str | None = None) -> str:
    return json.dumps(
        {
            "id": event_id or f"WH-{time.time_ns()}",
            "event_version": "1.0",
            "event_type": event_type,
            "resource_type": "capture",
            "create_time": "2026-12-02T10:00:00Z",
            "resource": resource,
        }
    )


def paypal_capture(capture_id: str, order_id: int, paypal_order: str, value: str = "49.00") -> dict:
    return {
        "id": capture_id,
        "status": "COMPLETED",
        "custom_id": str(order_id),
        "amount": {"currency_code": "USD", "value": value},
        "supplementary_data": {"related_ids": {"order_id": paypal_order}},
    }


# --- fixtures ------------------------------------------------------------------------------------


def _reset():
    from app.integrations.http import reset_breakers
    from app.integrations.payments import paypal

    reset_breakers()
    paypal.reset_caches()


@pytest.fixture
def fake_stripe(app):
    _reset()
    with (
        FakeStripe() as fake,
        app_config(
            app,
            STRIPE_SECRET_KEY="sk_test_fake",
            STRIPE_WEBHOOK_SECRET=STRIPE_WEBHOOK_SECRET,
            STRIPE_API_BASE=fake.url,
            PAYMENT_TIMEOUT_SECONDS=2,
        ),
    ):
        yield fake
    _reset()


@pytest.fixture
def fake_razorpay(app):
    _reset()
    with (
        FakeRazorpay() as fake,
        app_config(
            app,
            RAZORPAY_KEY_ID="rzp_test_fake",
            RAZORPAY_KEY_SECRET=RAZORPAY_KEY_SECRET,
            RAZORPAY_WEBHOOK_SECRET=RAZORPAY_WEBHOOK_SECRET,
            RAZORPAY_API_BASE=fake.url,
            PAYMENT_TIMEOUT_SECONDS=2,
        ),
    ):
        yield fake
    _reset()


@pytest.fixture
def fake_paypal(app):
    _reset()
    with (
        FakePayPal() as fake,
        app_config(
            app,
            PAYPAL_CLIENT_ID="paypal-client",
            PAYPAL_CLIENT_SECRET="paypal-secret",
            PAYPAL_WEBHOOK_ID=PAYPAL_WEBHOOK_ID,
            PAYPAL_API_BASE=fake.url,
            PAYMENT_TIMEOUT_SECONDS=2,
        ),
    ):
        yield fake
    _reset()


@pytest.fixture
def charging(app):
    """Postings cost a credit (POSTINGS_REQUIRE_PAYMENT on) for this test."""
    with app_config(app, POSTINGS_REQUIRE_PAYMENT=True):
        yield
