"""The code of conduct: the tree, one section, and keyword search."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.platform.auth import current_installation
from api.platform.blueprint import INSTALLATION, Blueprint
from api.platform.context import request_time
from api.platform.db import db_session
from api.platform.fields import Line
from dilemmas.model.organisations import Organisation
from dilemmas.reads import code
from dilemmas.reads.content import with_content
from dilemmas.reads.placements import visible_placements

blp = Blueprint("code", __name__, url_prefix="/api/v1/code", description="The code of conduct")


class SectionOut(ma.Schema):
    ref = ma.fields.String()
    title = ma.fields.String()
    text = ma.fields.String()
    version = ma.fields.Integer()


class ChapterOut(ma.Schema):
    number = ma.fields.String()
    title = ma.fields.String()
    organisation = ma.fields.String(metadata={"description": "Slug of the organisation whose code this is"})
    sections = ma.fields.List(ma.fields.Nested(SectionOut))


class CodeOut(ma.Schema):
    organisation = ma.fields.String()
    chapters = ma.fields.List(ma.fields.Nested(ChapterOut))


class DilemmaLink(ma.Schema):
    id = ma.fields.Integer()
    week = ma.fields.String()
    title = ma.fields.String()


class SectionDetailOut(SectionOut):
    chapter = ma.fields.String()
    dilemmas = ma.fields.List(ma.fields.Nested(DilemmaLink))


class SearchQuery(ma.Schema):
    q = Line(required=True, validate=ma.validate.Length(min=1, max=200))


class SearchHitOut(ma.Schema):
    ref = ma.fields.String()
    title = ma.fields.String()
    text = ma.fields.String()
    score = ma.fields.Float()


@blp.route("")
class Tree(MethodView):
    @blp.operation("getCode", auth=INSTALLATION, conditional=True)
    @blp.response(200, CodeOut)
    def get(self):
        """The caller's code: the root code, then the supplements."""
        session, installation = db_session(), current_installation()
        slugs = {o.id: o.slug for o in session.query(Organisation)}
        chapters = code.chapters_for(session, installation.organisation)
        return {
            "organisation": installation.organisation.slug,
            "chapters": [
                {
                    "number": c.number,
                    "title": c.title,
                    "organisation": slugs[c.organisation_id],
                    "sections": c.sections,
                }
                for c in chapters
            ],
        }


@blp.route("/sections/<string:ref>")
class Section(MethodView):
    @blp.operation(
        "getCodeSection", auth=INSTALLATION, errors={404: "No such section in the caller's code"}, conditional=True
    )
    @blp.response(200, SectionDetailOut)
    def get(self, ref):
        """One section and the published dilemmas that refer to it."""
        session, installation = db_session(), current_installation()
        section = code.section_for(session, installation.organisation, ref)
        placements = visible_placements(session, installation.organisation_id, request_time())
        dilemmas = with_content(session, [p.dilemma_id for p in placements])
        linked = [
            {"id": p.dilemma_id, "week": str(p.week), "title": dilemmas[p.dilemma_id].current.title}
            for p in placements
            if section in dilemmas[p.dilemma_id].current.sections
        ]
        return {
            "ref": section.ref,
            "title": section.title,
            "text": section.text,
            "version": section.version,
            "chapter": section.chapter.title,
            "dilemmas": linked,
        }


@blp.route("/search")
class Search(MethodView):
    @blp.operation("searchCode", auth=INSTALLATION)
    @blp.arguments(SearchQuery, location="query")
    @blp.response(200, SearchHitOut(many=True))
    def get(self, query):
        """Keyword search over titles and texts; case and accents are folded."""
        session, installation = db_session(), current_installation()
        hits = code.search(session, installation.organisation, query["q"])
        return [
            {"ref": h.section.ref, "title": h.section.title, "text": h.section.text, "score": h.score} for h in hits
        ]
