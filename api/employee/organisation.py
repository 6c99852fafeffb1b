"""The caller's organisation and the dilemma categories."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.platform.auth import current_installation
from api.platform.blueprint import INSTALLATION, Blueprint
from api.platform.db import db_session
from dilemmas.language import named
from dilemmas.reads import content

blp = Blueprint("organisation", __name__, url_prefix="/api/v1", description="Organisation and categories")


class Contact(ma.Schema):
    name = ma.fields.String()
    phone = ma.fields.String()
    email = ma.fields.String()
    description = ma.fields.String()


class Link(ma.Schema):
    title = ma.fields.String()
    url = ma.fields.String()


class OrganisationOut(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()
    parent = ma.fields.Function(
        lambda o: o.parent.slug if o.parent else None,
        allow_none=True,
        metadata={"type": "string", "description": "The parent organisation's slug; null for the root"},
    )
    timezone = ma.fields.String()
    contacts = ma.fields.Dict(keys=ma.fields.String(), values=ma.fields.Nested(Contact))
    links = ma.fields.List(ma.fields.Nested(Link))


class CategoryOut(ma.Schema):
    slug = ma.fields.String()
    name = ma.fields.String()
    name_en = ma.fields.String(allow_none=True)


@blp.route("/organisation")
class OrganisationView(MethodView):
    @blp.operation("getOrganisation", auth=INSTALLATION)
    @blp.response(200, OrganisationOut)
    def get(self):
        """Name, confidential adviser, reporting desk and links."""
        return current_installation().organisation


@blp.route("/categories")
class Categories(MethodView):
    @blp.operation("listCategories", auth=INSTALLATION)
    @blp.response(200, CategoryOut(many=True))
    def get(self):
        """The categories dilemmas are filed under; ``name`` in the
        installation's language where the bank has it, ``name_en`` as the
        bank has it."""
        locale = current_installation().locale
        return [
            {"slug": c.slug, "name": named(locale, c.name, c.name_en), "name_en": c.name_en}
            for c in content.categories(db_session())
        ]
