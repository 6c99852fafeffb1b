"""gzip for JSON larger than 1 kB, for clients that accept it: the code of
conduct, the archive and the results shrink to a fraction on a phone's
connection. Smaller bodies are sent as they are (the gzip header would eat
the gain). A compressed response's ETag becomes weak (``W/"..."``): the
same content in another encoding, which If-None-Match still matches
(RFC 9110 compares it weakly)."""

from __future__ import annotations

import gzip

from flask import Flask, Response, request

from api.platform.caching import vary_on

MINIMUM = 1024
LEVEL = 6


def accepts_gzip() -> bool:
    for part in request.headers.get("Accept-Encoding", "").split(","):
        coding, _, params = part.strip().partition(";")
        if coding.strip().lower() in ("gzip", "*") and params.replace(" ", "") not in ("q=0", "q=0.0", "q=0.00"):
            return True
    return False


def compress(response: Response) -> Response:
    vary_on(response, "Accept-Encoding")
    if (
        response.direct_passthrough
        or response.status_code < 200
        or response.status_code in (204, 304)
        or "Content-Encoding" in response.headers
        or not (response.mimetype == "application/json" or response.mimetype.endswith("+json"))
        or not accepts_gzip()
    ):
        return response
    body = response.get_data()
    if len(body) <= MINIMUM:
        return response
    response.set_data(gzip.compress(body, compresslevel=LEVEL, mtime=0))
    response.headers["Content-Encoding"] = "gzip"
    etag, weak = response.get_etag()
    if etag and not weak:
        response.set_etag(etag, weak=True)
    return response


def init_app(app: Flask) -> None:
    app.after_request(compress)
