"""A local fake sign-in provider: OpenID Connect (Google, LinkedIn) and GitHub's OAuth2 + REST API.

Real HTTP on 127.0.0.1, so Authlib does everything it does in production: discovery, the authorize
redirect with state, nonce and a PKCE challenge, the token request (client authentication and the
PKCE verifier are checked here), id_tokens signed RS256 with a key published at jwks_uri, userinfo.

The "consent screen" approves at once as `provider.person` (set it before the test signs in), so a
test follows the authorize URL and gets redirected back to the app's callback with a code.
Knobs: `sign_with_other_key` (a forged id_token), `token_nonce` (override the nonce claim).
"""

from __future__ import annotations

import base64
import hashlib
import json
import secrets
import threading
import time
from http.server import BaseHTTPRequestHandler
from urllib.parse import parse_qs, urlencode, urlsplit

from joserfc import jwt
from joserfc.jwk import RSAKey
from servers import LocalHTTPServer

CLIENT_ID = "jobifies-test-client"
CLIENT_SECRET = "jobifies-test-secret"  # noqa: S105  (a fake provider's test credential)


def person(sub="1001", email="pat@example.com", email_verified=True, name="Pat Provider") -> dict:
    return {"sub": sub, "email": email, "email_verified": email_verified, "name": name}


class FakeSignInProvider(LocalHTTPServer):
    def __init__(self):
        self.key = RSAKey.generate_key(2048, parameters={"kid": "fake-key-1"})
        self.other_key = RSAKey.generate_key(2048, parameters={"kid": "fake-key-1"})
        self.person = person()
        self.github_emails: list[dict] | None = None  # default: the person's address, primary
        self.sign_with_other_key = False
        self.token_nonce: str | None = None
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}
        self.authorize_requests: list[dict] = []
        self.token_requests: list[dict] = []
        self.lock = threading.Lock()
        fake = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _send(self, status, body=None, headers=None):
                data = b"" if body is None else json.dumps(body).encode()
                self.send_response(status)
                for name, value in (headers or {}).items():
                    self.send_header(name, value)
                if body is not None:
                    self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self):
                parts = urlsplit(self.path)
                query = {k: v[0] for k, v in parse_qs(parts.query).items()}
                path = parts.path
                if path == "/.well-known/openid-configuration":
                    return self._send(200, fake.discovery())
                if path == "/jwks":
                    return self._send(200, {"keys": [fake.key.as_dict(private=False)]})
                if path in ("/authorize", "/github/login/oauth/authorize"):
                    return self._send(302, headers={"Location": fake.authorize(query)})
                person = fake.bearer(self.headers.get("Authorization", ""))
                if person is None:
                    return self._send(401, {"error": "invalid_token"})
                if path == "/userinfo":
                    return self._send(200, person)
                if path == "/github/api/user":
                    return self._send(200, {"id": int(person["sub"]), "login": "pat", "name": person["name"]})
                if path == "/github/api/user/emails":
                    emails = fake.github_emails
                    if emails is None:
                        emails = [{"email": person["email"], "primary": True, "verified": person["email_verified"]}]
                    return self._send(200, emails)
                return self._send(404, {"error": "not_found"})

            def do_POST(self):
                length = int(self.headers.get("Content-Length") or 0)
                form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
                if urlsplit(self.path).path in ("/token", "/github/login/oauth/access_token"):
                    status, body = fake.token(form, self.headers.get("Authorization", ""))
                    return self._send(status, body)
                return self._send(404, {"error": "not_found"})

        self._serve(Handler)

    # --- the protocol -------------------------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "code_challenge_methods_supported": ["S256"],
            "token_endpoint_auth_methods_supported": ["client_secret_basic", "client_secret_post"],
        }

    def authorize(self, query: dict) -> str:
        """Approve as self.person: a one-time code, back to redirect_uri with the same state."""
        with self.lock:
            self.authorize_requests.append(query)
            code = secrets.token_urlsafe(16)
            self.codes[code] = {"person": dict(self.person), "query": query}
        return f"{query['redirect_uri']}?{urlencode({'code': code, 'state': query.get('state', '')})}"

    def _client_ok(self, form: dict, authorization: str) -> bool:
        if authorization.startswith("Basic "):
            client_id, _, secret = base64.b64decode(authorization[6:]).decode().partition(":")
        else:
            client_id, secret = form.get("client_id", ""), form.get("client_secret", "")
        return client_id == CLIENT_ID and secret == CLIENT_SECRET

    def token(self, form: dict, authorization: str) -> tuple[int, dict]:
        with self.lock:
            self.token_requests.append(form)
            grant = self.codes.pop(form.get("code", ""), None)  # codes are single-use
        if not self._client_ok(form, authorization):
            return 401, {"error": "invalid_client"}
        if grant is None or form.get("redirect_uri") != grant["query"].get("redirect_uri"):
            return 400, {"error": "invalid_grant"}
        challenge = grant["query"].get("code_challenge")
        if challenge:
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if digest != challenge:
                return 400, {"error": "invalid_grant", "error_description": "PKCE verification failed"}
        access_token = secrets.token_urlsafe(16)
        with self.lock:
            self.tokens[access_token] = grant["person"]
        body = {"access_token": access_token, "token_type": "Bearer", "expires_in": 3600}
        if "openid" in grant["query"].get("scope", ""):
            body["id_token"] = self.id_token(grant["person"], grant["query"])
        return 200, body

    def id_token(self, person: dict, query: dict) -> str:
        now = int(time.time())
        claims = {
            "iss": self.url,
            "aud": query.get("client_id"),
            "iat": now,
            "exp": now + 600,
            "nonce": self.token_nonce if self.token_nonce is not None else query.get("nonce"),
            **person,
        }
        key = self.other_key if self.sign_with_other_key else self.key
        return jwt.encode({"alg": "RS256", "kid": "fake-key-1"}, claims, key)

    def bearer(self, authorization: str) -> dict | None:
        with self.lock:
            return self.tokens.get(authorization.removeprefix("Bearer ").strip())

    # --- settings for the app -----------------------------------------------------------------------

    def settings(self, *providers: str) -> dict:
        values = {}
        for name in providers or ("google", "github", "linkedin"):
            upper = name.upper()
            values[f"{upper}_CLIENT_ID"] = CLIENT_ID
            values[f"{upper}_CLIENT_SECRET"] = CLIENT_SECRET
            if name == "github":
                values["GITHUB_OAUTH_URL"] = f"{self.url}/github/login/oauth"
                values["GITHUB_API_URL"] = f"{self.url}/github/api"
            else:
                values[f"{upper}_METADATA_URL"] = f"{self.url}/.well-known/openid-configuration"
        return values
