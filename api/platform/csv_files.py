"""Statistics as CSV: UTF-8 with a byte-order mark and CRLF line ends, so
Excel opens it as it is; one row per figure (``scoring.figures``)."""

from __future__ import annotations

import csv
import io

from flask import Response, request

CSV_COLUMNS = ("subject", "week", "dilemma_id", "figure", "value", "suppressed", "reason")


# The JSON variant comes from each view's response schema; this adds the
# CSV one, so that clients know both and pick with Accept.
CSV_CONTENT = {
    "text/csv": {
        "schema": {
            "type": "string",
            "description": "UTF-8 with a byte-order mark, CRLF line ends; columns: " + ", ".join(CSV_COLUMNS),
        }
    }
}


def wants_csv() -> bool:
    best = request.accept_mimetypes.best_match(["application/json", "text/csv"])
    return best == "text/csv"


def as_csv(rows: list[dict], name: str) -> Response:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\r\n")
    writer.writeheader()
    for row in rows:
        writer.writerow({key: ("" if row.get(key) is None else row.get(key)) for key in CSV_COLUMNS})
    response = Response("\ufeff" + buffer.getvalue(), mimetype="text/csv")
    response.headers["Content-Disposition"] = f'attachment; filename="kompas-{name}.csv"'
    response.headers["Content-Type"] = "text/csv; charset=utf-8"
    return response
