"""Path ids: whole numbers that fit the database's integer, else 404."""

from __future__ import annotations

from werkzeug.routing import IntegerConverter

from dilemmas.storage.base import INT_MAX


class BoundedInteger(IntegerConverter):
    """``<int:...>`` everywhere: an id beyond a 32-bit integer is no id we
    could have issued, so the route does not match (404), rather than a
    database error."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", INT_MAX)
        super().__init__(map, *args, **kwargs)


def schema_of(converter: BoundedInteger) -> dict:
    return {"type": "integer", "minimum": 0, "maximum": converter.max}
