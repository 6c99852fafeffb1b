"""The integrity office's console under /office/: server-rendered pages
(Jinja2) over the same services as the admin API. Works without
JavaScript; a little vanilla JavaScript adds the editor's live preview."""

from __future__ import annotations

from flask import Blueprint, Flask, g, request

from api.console import administration as more
from api.console import dilemmas as pages
from api.console import forms, signin
from api.console import statistics as stats
from api.console.labels import LABELS
from api.console.pages import CsrfRefused, actor, csrf_token, load_sign_in, locale, page, t
from api.platform import formats, limits
from api.platform.errors import status_of
from api.platform.limits import limiter
from dilemmas.errors import DomainError


def init_app(app: Flask) -> None:
    blp = Blueprint("office", __name__, url_prefix="/office")
    blp.before_request(load_sign_in)
    limiter.limit(limits.ADMIN, key_func=limits.per_console_sign_in)(blp)
    for module in (signin, pages, stats, more):
        module.register(blp)
    blp.register_error_handler(CsrfRefused, _csrf_refused)
    blp.register_error_handler(forms.FormInvalid, _form_invalid)
    blp.register_error_handler(DomainError, _domain_error)
    blp.context_processor(_template_context)
    app.register_blueprint(blp)
    signin.init_oidc(app)


def _template_context() -> dict:
    office = g.get("office")
    language = locale()
    # Times in the signed-in person's organisation's zone; before sign-in, the default.
    zone = office.actor.organisation.timezone if office is not None else "Europe/Amsterdam"
    return {
        "week_label": lambda week, with_year=False: formats.week_label(week, language, with_year),
        "week_dates": lambda week: formats.week_dates(week, language),
        "share": formats.share,
        "day": lambda value: formats.day(value, language),
        "local": lambda moment: formats.local(moment, zone, language),
        "number": lambda value, decimals=0: formats.number(value, decimals, language),
        "count": lambda value, one, many: formats.count(value, t(one), t(many), language),
        "t": t,
        "label": lambda kind, value: t(LABELS.get(kind, {}).get(value, value)),
        "csrf_token": csrf_token,
        "lang": locale(),
        "who": office.actor if office is not None else None,
        "current_path": request.full_path.rstrip("?"),
        "endpoint": request.endpoint,
    }


def _csrf_refused(_error: CsrfRefused):
    return page("office/refused.html", 400, reason="csrf")


def _form_invalid(error: forms.FormInvalid):
    return page("office/refused.html", 422, reason="invalid", errors=error.errors)


# The page says more than the detail for these; any other refusal is its detail.
REFUSALS = {401: "signed_out", 403: "forbidden", 404: "not_found"}


def _domain_error(error: DomainError):
    status = status_of(error)
    return page("office/refused.html", status, reason=REFUSALS.get(status, "conflict"), detail=t(error.detail))


__all__ = ["actor", "init_app"]
