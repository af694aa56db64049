"""Sign in with Google, GitHub or LinkedIn: a link to the provider, and its callback.

The start is a plain GET link, not a form: the page's CSP has `form-action 'self'`, which browsers
also apply to a form's redirects, and starting a sign-in changes nothing here (the state, nonce
and PKCE verifier Authlib keeps in the session are what protect the callback).
"""

from __future__ import annotations

import logging

import requests
from authlib.integrations.base_client import OAuthError
from flask import flash, redirect, render_template, request, session, url_for
from flask_login import current_user
from joserfc.errors import JoseError

from ...errors import NotFound
from ...links import absolute_url
from ...services import identities
from ..helpers import safe_next, save
from ..sessions import start_session
from . import providers
from .blueprint import bp

log = logging.getLogger(__name__)
NEXT = "signin_next"


@bp.app_context_processor
def _signin_buttons():
    return {"signin_providers": providers.configured}


def _client_or_404(provider: str):
    client = providers.client(provider)
    if client is None:
        raise NotFound("That sign-in provider is not available here.")
    return client


@bp.get("/login/with/<provider>")
def start(provider: str):
    client = _client_or_404(provider)
    if current_user.is_authenticated:
        return redirect(url_for("public.home"))
    session[NEXT] = safe_next(request.args.get("next"), "")
    # The provider sends the person back to this exact address, registered with it: from BASE_URL,
    # never from the request's Host.
    try:
        return client.authorize_redirect(absolute_url("signin.callback", provider=provider))
    except (requests.RequestException, ValueError, KeyError) as error:  # its discovery document
        log.warning("sign-in with %s could not start: %s", provider, error)
        label = identities.PROVIDER_LABELS.get(provider, provider)
        return _failed(f"We could not reach {label} just now. Please try again in a moment.", 502)


@bp.get("/login/with/<provider>/callback")
def callback(provider: str):
    client = _client_or_404(provider)
    label = identities.PROVIDER_LABELS.get(provider, provider)
    try:
        profile = providers.read_profile(provider, client)
    except OAuthError as error:
        # A forged or replayed state, a code the provider refused, or "access denied" there.
        log.info("sign-in with %s refused: %s", provider, error)
        return _failed(f"Signing in with {label} did not work ({error.error or 'refused'}). Please try again.", 400)
    except JoseError as error:
        log.warning("sign-in with %s: id_token rejected: %s", provider, error)
        return _failed(f"{label} sent a sign-in we could not verify. Please try again.", 400)
    except (requests.RequestException, ValueError, KeyError) as error:
        log.warning("sign-in with %s failed: %s", provider, error)
        return _failed(f"We could not reach {label} just now. Please try again in a moment.", 502)
    next_path = session.pop(NEXT, "")
    outcome = save(lambda: identities.sign_in_with_provider(profile))
    if not outcome.ok:
        return _failed(outcome.error.message, outcome.status)
    user = outcome.value
    start_session(user)
    flash(f"Welcome, {user.display_name}. You are signed in with {label}.", "success")
    return redirect(safe_next(next_path, url_for("public.jobs")))


def _failed(message: str, status: int):
    return render_template("signin/failed.html", message=message), status
