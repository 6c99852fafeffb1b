"""The minimum-app-version signal (docs/clients.md, versioning): when the
operator sets ``KOMPAS_MIN_APP_VERSIONS``, every API response names the
oldest app version still supported per platform, and an older app asks its
user to update from the store. A signal, not a refusal: the server never
turns an app away by its User-Agent."""

from __future__ import annotations

from flask import Flask, Response, request

from api.platform.context import settings

HEADER = "Kompas-Min-App-Version"


def min_app_version(response: Response) -> Response:
    versions = settings().min_app_versions
    if versions and request.path.startswith("/api/"):
        response.headers[HEADER] = versions
    return response


def init_app(app: Flask) -> None:
    app.after_request(min_app_version)
