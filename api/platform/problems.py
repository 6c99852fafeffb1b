"""The pages behind the problem types: ``GET /problems/<cause>`` says in
Dutch and English what a cause means and what an app should do about it,
so that a ``type`` a developer meets in a log can be opened in a browser.
Public, small, cacheable; the texts are dilemmas.language's."""

from __future__ import annotations

from html import escape

from flask import Blueprint, Response, abort

from dilemmas.language import CAUSES

blp = Blueprint("problems", __name__, url_prefix="/problems")

PAGE = """<!doctype html>
<html lang="nl">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title_nl} · Kompas</title></head>
<body>
<main>
<h1>{title_nl}</h1>
<p>HTTP {status} · <code>/problems/{cause}</code></p>
<p>{advice_nl}</p>
<section lang="en">
<h2>{title_en}</h2>
<p>{advice_en}</p>
</section>
</main>
</body>
</html>
"""


@blp.get("/<cause>")
def page(cause: str) -> Response:
    entry = CAUSES.get(cause)
    if entry is None:
        abort(404)
    html = PAGE.format(
        cause=escape(cause),
        status=entry.status,
        title_nl=escape(entry.title["nl"]),
        title_en=escape(entry.title["en"]),
        advice_nl=escape(entry.advice["nl"]),
        advice_en=escape(entry.advice["en"]),
    )
    response = Response(html, mimetype="text/html")
    response.headers["Cache-Control"] = "public, max-age=86400"
    return response
