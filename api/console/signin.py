"""Signing in and out of the console: with a personal access token, or with
the organisation's OpenID Connect provider where KOMPAS_OIDC_ISSUER is set."""

from __future__ import annotations

from flask import Blueprint, Flask, current_app, redirect, request, url_for

from api.console.pages import (
    COOKIE,
    PATH,
    SIGN_IN_COOKIE,
    csrf_token,
    form_dict,
    locale,
    page,
    safe_next,
    set_sign_in_cookie,
    t,
)
from api.platform import limits
from api.platform.context import request_time, server_secret, settings
from api.platform.db import db_session
from api.platform.limits import limiter
from dilemmas.errors import Unauthorized
from dilemmas.office import console

OIDC_CLIENT = "kompas.oidc"


def register(blp: Blueprint) -> None:
    guarded = limiter.limit(limits.CONSOLE_SIGN_IN, methods=["POST"], key_func=limits.per_address)(sign_in)
    blp.add_url_rule("/sign-in", "sign_in", guarded, methods=["GET", "POST"])
    blp.add_url_rule("/sign-out", "sign_out", sign_out, methods=["POST"])
    blp.add_url_rule("/language", "language", language, methods=["POST"])
    blp.add_url_rule("/oidc/login", "oidc_login", oidc_login)
    blp.add_url_rule("/oidc/callback", "oidc_callback", oidc_callback)


def init_oidc(app: Flask) -> None:
    """Register the OpenID provider with Authlib when one is configured."""
    configured = app.extensions["kompas.settings"]
    issuer = configured.oidc_issuer
    if not issuer:
        return
    from authlib.integrations.flask_client import OAuth

    oauth = OAuth(app)
    app.extensions[OIDC_CLIENT] = oauth.register(
        "organisation",
        server_metadata_url=issuer.rstrip("/") + "/.well-known/openid-configuration",
        client_id=configured.oidc_client_id,
        client_secret=configured.oidc_client_secret,
        client_kwargs={"scope": "openid profile"},
    )


def _sign_in_page(status: int = 200, errors: dict | None = None, token_value: str = ""):
    response = page(
        "office/sign_in.html",
        status,
        errors=errors or {},
        next_path=request.values.get("next", ""),
        expired=request.args.get("expired") == "1",
        oidc=OIDC_CLIENT in current_app.extensions,
        token_value=token_value,
    )
    response.set_cookie(
        SIGN_IN_COOKIE,
        csrf_token(),
        path=PATH,
        httponly=True,
        secure=settings().production,
        samesite="Strict",
    )
    return response


def sign_in():
    """The sign-in page, and signing in with a personal access token."""
    if request.method == "GET":
        return _sign_in_page()
    token = form_dict().get("token", "").strip()
    if not token:
        return _sign_in_page(422, {"token": [t("Vul je persoonlijke toegangstoken in.")]})
    try:
        opened = console.sign_in(db_session(), server_secret(), request_time(), token, locale())
    except Unauthorized:
        return _sign_in_page(401, {"token": [t("Dit token kennen we niet, of het is verlopen of ingetrokken.")]})
    response = redirect(safe_next(request.form.get("next")), 303)
    set_sign_in_cookie(response, opened.cookie)
    response.delete_cookie(SIGN_IN_COOKIE, path=PATH)
    return response


def sign_out():
    """End the session (and revoke a token minted for an OIDC sign-in)."""
    console.sign_out(db_session(), server_secret(), request_time(), request.cookies.get(COOKIE, ""))
    response = redirect(url_for("office.sign_in", signed_out=1), 303)
    response.delete_cookie(COOKIE, path=PATH)
    return response


def language():
    """Switch the console between Dutch and English for this session."""
    console.set_locale(db_session(), server_secret(), request.cookies.get(COOKIE, ""), request.form.get("locale", ""))
    return redirect(safe_next(request.form.get("next")), 303)


def oidc_login():
    """Send the browser to the organisation's OpenID provider."""
    client = current_app.extensions.get(OIDC_CLIENT)
    if client is None:
        return page("office/refused.html", 404, reason="no_oidc")
    return client.authorize_redirect(url_for("office.oidc_callback", _external=True))


def role_from_claims(claims: dict) -> tuple[str, str] | None:
    """The first (role, organisation) of KOMPAS_OIDC_ROLES whose group the
    configured claim holds."""
    held = claims.get(settings().oidc_claim) or []
    held = {held} if isinstance(held, str) else set(held)
    for group, role, organisation in settings().oidc_roles:
        if group in held:
            return role, organisation
    return None


def oidc_callback():
    """Back from the provider: map the claims to a role and an organisation
    and open a session."""
    client = current_app.extensions.get(OIDC_CLIENT)
    if client is None:
        return page("office/refused.html", 404, reason="no_oidc")
    try:
        token = client.authorize_access_token()
    except Exception:  # any failure of the provider's answer is a refused sign-in
        current_app.logger.warning("oidc: the provider's answer was refused")
        return page("office/refused.html", 401, reason="oidc_failed")
    claims = token.get("userinfo") or {}
    mapped = role_from_claims(claims)
    if mapped is None:
        return page("office/refused.html", 403, reason="no_role")
    name = str(claims.get("name") or claims.get("preferred_username") or claims.get("sub"))[:120]
    try:
        opened = console.sign_in_federated(
            db_session(), server_secret(), request_time(), name, mapped[0], mapped[1], locale()
        )
    except Unauthorized:
        return page("office/refused.html", 403, reason="no_role")
    # The provider's redirect is a cross-site navigation: a SameSite=Strict
    # cookie set now is sent only from the next same-site navigation, so
    # this page moves on by itself instead of redirecting.
    response = page("office/signed_in.html", next_url=url_for("office.this_week"))
    set_sign_in_cookie(response, opened.cookie)
    return response
