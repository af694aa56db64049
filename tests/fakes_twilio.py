"""Local fakes of Twilio's Messages API and of Slack incoming webhooks, for the official clients
(`twilio` with its HTTP client rebased here, `slack_sdk`'s WebhookClient posting to our URL), and
helpers that sign Twilio callbacks the way Twilio does (RequestValidator.compute_signature)."""

from __future__ import annotations

import itertools
import json
import threading
import time
from urllib.parse import parse_qs, urlencode

from servers import LocalHTTPServer
from twilio.request_validator import RequestValidator

ACCOUNT_SID = "AC" + "0" * 32
AUTH_TOKEN = "test-twilio-auth-token"
FROM_NUMBER = "+15005550006"
WHATSAPP_FROM = "whatsapp:+14155238886"


class FakeTwilio(LocalHTTPServer):
    """POST /2010-04-01/Accounts/<sid>/Messages.json: records the form, answers a message resource
    (sid SM..., status queued) or a scripted error (status, Twilio error code)."""

    def __init__(self):
        from http.server import BaseHTTPRequestHandler

        self.requests: list[dict] = []
        self.script: list[tuple[int, int]] = []
        self.lock = threading.Lock()
        self._sids = itertools.count(1)
        fake = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0)).decode()
                form = {key: values[0] for key, values in parse_qs(body, keep_blank_values=True).items()}
                with fake.lock:
                    fake.requests.append({"path": self.path, "form": form, "auth": self.headers.get("Authorization")})
                    status, code = fake.script.pop(0) if fake.script else (201, 0)
                    sid = f"SM{next(fake._sids):032x}"
                if status == 201:
                    payload = {
                        "sid": sid,
                        "account_sid": ACCOUNT_SID,
                        "to": form.get("To"),
                        "from": form.get("From"),
                        "messaging_service_sid": form.get("MessagingServiceSid"),
                        "body": form.get("Body"),
                        "status": "queued",
                        "num_segments": "1",
                        "direction": "outbound-api",
                        "date_created": "Mon, 07 Dec 2026 02:00:00 +0000",
                        "uri": f"/2010-04-01/Accounts/{ACCOUNT_SID}/Messages/{sid}.json",
                    }
                else:
                    payload = {"code": code, "message": f"fake error {code}", "more_info": "", "status": status}
                data = json.dumps(payload).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._serve(Handler)

    def sent(self) -> list[dict]:
        return [r["form"] for r in self.requests]


class FakeSlack(LocalHTTPServer):
    """An incoming webhook at <url>/services/T000/B000/XXXX: records the JSON, answers "ok" or a
    scripted (status, text, headers)."""

    HOOK = "/services/T000/B000/XXXX"

    def __init__(self):
        from http.server import BaseHTTPRequestHandler

        self.requests: list[dict] = []
        self.script: list[tuple[int, str, dict]] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def do_POST(self):
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                with fake.lock:
                    fake.requests.append({"path": self.path, "json": json.loads(body or b"{}")})
                    status, text, headers = fake.script.pop(0) if fake.script else (200, "ok", {})
                data = text.encode()
                self.send_response(status)
                self.send_header("Content-Type", "text/html")
                for name, value in headers.items():
                    self.send_header(name, value)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self._serve(Handler)
        self.hook_url = self.url + self.HOOK


def twilio_config(fake: FakeTwilio, **extra) -> dict:
    return {
        "TWILIO_ACCOUNT_SID": ACCOUNT_SID,
        "TWILIO_AUTH_TOKEN": AUTH_TOKEN,
        "TWILIO_PHONE_NUMBER": FROM_NUMBER,
        "TWILIO_WHATSAPP_FROM": WHATSAPP_FROM,
        "TWILIO_API_BASE": fake.url,
        **extra,
    }


def signed_callback(url: str, params: dict, token: str = AUTH_TOKEN) -> tuple[str, dict]:
    """(form body, headers) of a Twilio callback to `url`, signed as Twilio signs it."""
    signature = RequestValidator(token).compute_signature(url, params)
    return urlencode(params), {
        "X-Twilio-Signature": signature,
        "Content-Type": "application/x-www-form-urlencoded",
    }


def status_params(sid: str, status: str, to: str = "+14155552671", error_code: str = "") -> dict:
    params = {
        "MessageSid": sid,
        "SmsSid": sid,
        "AccountSid": ACCOUNT_SID,
        "MessageStatus": status,
        "SmsStatus": status,
        "To": to,
        "From": FROM_NUMBER,
        "ApiVersion": "2010-04-01",
    }
    if error_code:
        params["ErrorCode"] = error_code
    return params


def inbound_params(from_number: str, body: str) -> dict:
    return {
        "MessageSid": f"SM{int(time.time() * 1e6):032x}",
        "AccountSid": ACCOUNT_SID,
        "From": from_number,
        "To": FROM_NUMBER,
        "Body": body,
        "SmsStatus": "received",
        "NumMedia": "0",
        "ApiVersion": "2010-04-01",
    }
