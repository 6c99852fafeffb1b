"""Teams: create, join with an invite code, leave, and the lead's tools."""

from __future__ import annotations

import marshmallow as ma
from flask.views import MethodView

from api.platform import limits
from api.platform.auth import current_installation
from api.platform.blueprint import INSTALLATION, Blueprint
from api.platform.context import request_time
from api.platform.db import db_session
from api.platform.fields import Choice, Line, WholeNumber
from dilemmas.employee import teams
from dilemmas.model.teams import LEAD, MEMBER, NAME_MAX
from dilemmas.storage.base import INT_MAX

blp = Blueprint("teams", __name__, url_prefix="/api/v1/teams", description="Teams that answer together")


class TeamIn(ma.Schema):
    name = Line(required=True, validate=ma.validate.Length(min=1, max=NAME_MAX))


class TeamJoinIn(ma.Schema):
    invite_code = Line(required=True, validate=ma.validate.Length(min=4, max=32))


class TeamOut(ma.Schema):
    id = ma.fields.Integer()
    name = ma.fields.String()
    member_count = ma.fields.Integer()
    role = Choice((LEAD, MEMBER))
    handle = ma.fields.Integer(
        metadata={"description": "Your number in the team, shown to the lead as 'member N' (for handing over)"}
    )
    invite_code = ma.fields.String(
        allow_none=True, metadata={"description": "For the lead only; null for members", "example": "K7QM-3XPA-9TWZ"}
    )


class MemberOut(ma.Schema):
    handle = ma.fields.Integer(metadata={"description": "Shown as 'member N'; says nothing about who it is"})
    role = Choice((LEAD, MEMBER))
    you = ma.fields.Boolean()


class HandOverIn(ma.Schema):
    handle = WholeNumber(required=True, validate=ma.validate.Range(min=1, max=INT_MAX))


@blp.route("")
class Teams(MethodView):
    @blp.operation("createTeam", auth=INSTALLATION, errors={409: "Already in the maximum number of teams"})
    @blp.arguments(TeamIn)
    @blp.response(201, TeamOut)
    def post(self, body):
        """Create a team; the caller is its lead and gets the invite code."""
        team = teams.create(db_session(), current_installation(), body["name"], request_time())
        return team, 201, {"Location": f"{blp.url_prefix}/{team.id}"}

    @blp.operation("listTeams", auth=INSTALLATION)
    @blp.response(200, TeamOut(many=True))
    def get(self):
        """The caller's teams."""
        return teams.mine(db_session(), current_installation())


@blp.route("/join")
class Join(MethodView):
    decorators = limits.code_guessing_limits()

    @blp.operation(
        "joinTeam",
        auth=INSTALLATION,
        errors={
            404: "No team with this code in the caller's organisation",
            409: "Already in the maximum number of teams",
            429: "Too many wrong codes from this address",
        },
    )
    @blp.arguments(TeamJoinIn)
    @blp.response(200, TeamOut)
    def post(self, body):
        """Join a team with its invite code; joining again changes nothing."""
        return teams.join(db_session(), current_installation(), body["invite_code"])


@blp.route("/<int:team_id>")
class One(MethodView):
    @blp.operation("getTeam", auth=INSTALLATION, errors={404: "Not a team of the caller"})
    @blp.response(200, TeamOut)
    def get(self, team_id):
        """A team's name, size and the caller's role; never who the members are."""
        return teams.detail(db_session(), current_installation(), team_id)


@blp.route("/<int:team_id>/membership")
class MyMembership(MethodView):
    @blp.operation("leaveTeam", auth=INSTALLATION, errors={404: "Not a team of the caller"})
    @blp.response(204)
    def delete(self, team_id):
        """Leave the team. A leaving lead passes the role to the longest-standing
        member; the last one to leave deletes the team."""
        teams.leave(db_session(), current_installation(), team_id)


@blp.route("/<int:team_id>/invite-code")
class InviteCode(MethodView):
    @blp.operation(
        "replaceInviteCode", auth=INSTALLATION, errors={403: "Only the lead", 404: "Not a team of the caller"}
    )
    @blp.response(200, TeamOut)
    def post(self, team_id):
        """Replace the invite code (lead): the old code stops working."""
        return teams.rotate_invite_code(db_session(), current_installation(), team_id)


@blp.route("/<int:team_id>/members")
class Members(MethodView):
    @blp.operation("listTeamMembers", auth=INSTALLATION, errors={403: "Only the lead", 404: "Not a team of the caller"})
    @blp.response(200, MemberOut(many=True))
    def get(self, team_id):
        """The members as opaque handles ('member 1..n'), for the lead to
        hand the role over; a member reads their own handle in the team."""
        return teams.members(db_session(), current_installation(), team_id)


@blp.route("/<int:team_id>/lead")
class Lead(MethodView):
    @blp.operation("handOverLead", auth=INSTALLATION, errors={403: "Only the lead", 404: "Not a team of the caller"})
    @blp.arguments(HandOverIn)
    @blp.response(200, TeamOut)
    def put(self, body, team_id):
        """Hand the lead role to the member with this handle; the caller
        becomes a member."""
        return teams.hand_over(db_session(), current_installation(), team_id, body["handle"])
