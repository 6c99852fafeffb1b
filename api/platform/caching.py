"""Conditional GETs for what phones poll: the current dilemma and a live
meeting. The ETag is a hash of the bytes sent (which hold the caller's own
answer or vote), so only the phone may keep the copy, and asks again each
time: cheaply, as a 304 without a body while nothing changed."""

from __future__ import annotations

import hashlib

from flask import Response, request

PRIVATE_NO_CACHE = "private, no-cache"


def conditional(response: Response) -> Response:
    """``response`` with a strong ETag of its body and ``Cache-Control:
    private, no-cache``; 304 without a body when If-None-Match has it."""
    response.set_etag(hashlib.sha256(response.get_data()).hexdigest()[:32])
    response.headers["Cache-Control"] = PRIVATE_NO_CACHE
    return response.make_conditional(request)


def vary_on(response: Response, name: str) -> None:
    """Add ``name`` to Vary, keeping every value already there, in however
    many Vary headers (CORS adds its own)."""
    values = [v.strip() for header in response.headers.getlist("Vary") for v in header.split(",") if v.strip()]
    if name.lower() not in {v.lower() for v in values}:
        values.append(name)
    response.headers["Vary"] = ", ".join(values)
