"""The sign-in providers as Authlib Flask clients, built from the settings.

Authlib's Flask client is web-layer code by nature (it keeps state, nonce and the PKCE verifier
in the session and reads the callback's query string), so it lives with the blueprint rather than
in app/integrations. Authlib checks the state, exchanges the code with the PKCE verifier, and for
OpenID Connect validates the id_token (RS256 signature against the provider's JWKS, issuer,
audience, expiry, nonce). What the person is called and whether the address is verified is read
here; what that means for our accounts is app/services/identities.py.
"""

from __future__ import annotations

from authlib.integrations.flask_client import OAuth
from flask import current_app

from ...models import SignInProvider
from ...services.identities import PROVIDER_LABELS, ProviderProfile

_EXTENSION = "jobifies_signin_clients"
SETTINGS = (
    "GOOGLE_CLIENT_ID",
    "GOOGLE_CLIENT_SECRET",
    "GOOGLE_METADATA_URL",
    "GITHUB_CLIENT_ID",
    "GITHUB_CLIENT_SECRET",
    "GITHUB_OAUTH_URL",
    "GITHUB_API_URL",
    "LINKEDIN_CLIENT_ID",
    "LINKEDIN_CLIENT_SECRET",
    "LINKEDIN_METADATA_URL",
    "OUTBOUND_TIMEOUT_SECONDS",
)


def configured() -> list[tuple[str, str]]:
    """(name, label) of each provider with both its client id and secret set, in page order."""
    config = current_app.config
    return [
        (provider.value, PROVIDER_LABELS[provider])
        for provider in SignInProvider
        if config.get(f"{provider.name}_CLIENT_ID") and config.get(f"{provider.name}_CLIENT_SECRET")
    ]


def client(name: str):
    """The Authlib client of a configured provider, or None."""
    return _registry().create_client(name) if name in dict(configured()) else None


def _registry() -> OAuth:
    # Built on first use and again whenever a setting changes (tests switch providers on and off).
    config = current_app.config
    key = tuple(config.get(name) for name in SETTINGS)
    cached = current_app.extensions.get(_EXTENSION)
    if cached is not None and cached[0] == key:
        return cached[1]
    oauth = OAuth(current_app._get_current_object())
    timeout = {"default_timeout": config.get("OUTBOUND_TIMEOUT_SECONDS", 20)}
    for name, _ in configured():
        upper = name.upper()
        common = {"client_id": config[f"{upper}_CLIENT_ID"], "client_secret": config[f"{upper}_CLIENT_SECRET"]}
        if name == SignInProvider.GITHUB:
            oauth_url, api_url = config["GITHUB_OAUTH_URL"], config["GITHUB_API_URL"]
            oauth.register(
                name,
                **common,
                authorize_url=f"{oauth_url}/authorize",
                access_token_url=f"{oauth_url}/access_token",
                api_base_url=f"{api_url}/",
                client_kwargs={"scope": "read:user user:email", "code_challenge_method": "S256", **timeout},
            )
        elif name == SignInProvider.LINKEDIN:
            oauth.register(
                name,
                **common,
                server_metadata_url=config["LINKEDIN_METADATA_URL"],
                # LinkedIn wants the client credentials in the token request's body, and refuses
                # PKCE for web (confidential) apps with invalid_client, so none is sent to it.
                client_kwargs={
                    "scope": "openid email profile",
                    "token_endpoint_auth_method": "client_secret_post",
                    **timeout,
                },
            )
        else:
            oauth.register(
                name,
                **common,
                server_metadata_url=config["GOOGLE_METADATA_URL"],
                client_kwargs={"scope": "openid email profile", "code_challenge_method": "S256", **timeout},
            )
    current_app.extensions[_EXTENSION] = (key, oauth)
    return oauth


def _true(value) -> bool:
    # Some providers send the claim as the string "true".
    return value is True or str(value).lower() == "true"


def read_profile(name: str, oauth_client) -> ProviderProfile:
    """Finish the callback: check state, swap the code for tokens (and the id_token's signature and
    claims), and read who the person is. Raises Authlib's OAuthError / joserfc's errors on a bad
    callback or token, requests' errors when the provider cannot be reached."""
    token = oauth_client.authorize_access_token()
    if name == SignInProvider.GITHUB:
        return _github_profile(oauth_client, token)
    claims = dict(token.get("userinfo") or {})
    if not claims.get("sub"):
        raise ValueError("the provider returned no id_token")
    if not claims.get("email"):
        # The id_token may leave the address to the userinfo endpoint; same subject required.
        info = dict(oauth_client.userinfo(token=token))
        if info.get("sub") == claims["sub"]:
            claims.update({k: v for k, v in info.items() if k in ("email", "email_verified", "name")})
    return ProviderProfile(
        provider=name,
        subject=str(claims["sub"]),
        email=str(claims.get("email") or ""),
        email_verified=_true(claims.get("email_verified")),
        name=str(claims.get("name") or ""),
    )


def _github_profile(oauth_client, token) -> ProviderProfile:
    """GitHub is not OpenID Connect: /user gives the stable id, /user/emails says which addresses
    are verified. Only the primary address, and only if GitHub verified it, is used."""
    user = oauth_client.get("user", token=token)
    user.raise_for_status()
    emails = oauth_client.get("user/emails", token=token)
    emails.raise_for_status()
    data = user.json()
    primary = next((e for e in emails.json() if isinstance(e, dict) and e.get("primary")), {})
    return ProviderProfile(
        provider=SignInProvider.GITHUB.value,
        subject=str(data["id"]),
        email=str(primary.get("email") or ""),
        email_verified=_true(primary.get("verified")),
        name=str(data.get("name") or data.get("login") or ""),
    )
