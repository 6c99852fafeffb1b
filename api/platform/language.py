"""The language of a response: the installation's locale when a phone
authenticated, else the best of ``Accept-Language`` (nl, en), else Dutch.
Every response of the API says which in ``Content-Language``; the texts
themselves are in dilemmas.language."""

from __future__ import annotations

from flask import Flask, Response, g, request

from api.platform.caching import vary_on
from dilemmas.language import choose

# Pages that are one language whatever the caller asks: the office console
# and the meeting screen are Dutch; the problem pages carry both.
FIXED = {"/office": "nl", "/meeting": "nl", "/problems": "nl, en"}


def locale() -> str:
    """``nl`` or ``en`` for this request."""
    caller = g.get("caller")
    if caller is not None:
        return caller.locale
    return choose(request.headers.get("Accept-Language"))


def content_language(response: Response) -> Response:
    if "Content-Language" not in response.headers:
        fixed = next((value for prefix, value in FIXED.items() if request.path.startswith(prefix)), None)
        response.headers["Content-Language"] = fixed or locale()
    # A cache must not hand one phone's language to another.
    vary_on(response, "Accept-Language")
    return response


def init_app(app: Flask) -> None:
    app.after_request(content_language)
