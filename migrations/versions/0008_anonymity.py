"""anonymity, second edition: nothing that ties an answer to a team, a time
or a storage order

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-28 23:30:00

What changes, and what stays (docs/anonymity.md):
- ``answer_teams`` goes, with the team counters of members' own answers:
  team spreads are no longer shown anywhere, and a team set per answer
  linked answers to installations in a dump. The counts of everyone and of
  every organisation stay as they were; the teams' joint answers (mode
  ``team``) stay too.
- ``difficulty_tallies`` gains ``late`` and is rebuilt from the answers, so
  ratings given after a week closed are kept apart (and never shown); no
  rating is lost.
- ``answered_on`` becomes the Monday of the week the answer was given in.
- ``installations.respondent_seed`` may be empty: new installations have
  none (their keys come from their token), and a legacy installation's
  first request rekeys its rows and deletes its seed.
- On SQLite ``answers``, ``session_participants`` and ``session_votes``
  become WITHOUT ROWID tables, rewritten in key order: their storage order
  no longer says in which order rows were written.
"""

import secrets
from datetime import date, timedelta

import sqlalchemy as sa
from alembic import op

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None

SCOPE_TEAM = "team"
MODE_TEAM = "team"


def _answers() -> list:
    return [
        sa.Column("dilemma_id", sa.Integer(), nullable=False),
        sa.Column("respondent_key", sa.String(length=64), nullable=False),
        sa.Column("revision_id", sa.Integer(), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=False),
        sa.Column("option", sa.String(length=1), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("difficulty", sa.Integer(), nullable=True),
        sa.Column("answered_on", sa.Date(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dilemma_id"], ["dilemmas.id"], name="fk_answers_dilemma_id_dilemmas", ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(["revision_id"], ["revisions.id"], name="fk_answers_revision_id_revisions"),
        sa.ForeignKeyConstraint(
            ["organisation_id"], ["organisations.id"], name="fk_answers_organisation_id_organisations"
        ),
        sa.PrimaryKeyConstraint("dilemma_id", "respondent_key", name="pk_answers"),
    ]


def _participants() -> list:
    return [
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("voter_key", sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name="fk_session_participants_session_id_live_sessions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", "voter_key", name="pk_session_participants"),
    ]


def _votes() -> list:
    return [
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("voter_key", sa.String(length=64), nullable=False),
        sa.Column("option", sa.String(length=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["live_sessions.id"], name="fk_session_votes_session_id_live_sessions", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("session_id", "round", "voter_key", name="pk_session_votes"),
    ]


def _rebuild_without_rowid(name: str, parts, keys: list[str]) -> None:
    """SQLite: copy a table into a WITHOUT ROWID twin in key order, then
    take its place."""
    bind = op.get_bind()
    op.rename_table(name, f"{name}_old")
    new = op.create_table(f"{name}_new", *parts(), sqlite_with_rowid=False)
    columns = ", ".join(c.name for c in new.columns)
    order = ", ".join(keys)
    bind.exec_driver_sql(f"INSERT INTO {name}_new ({columns}) SELECT {columns} FROM {name}_old ORDER BY {order}")
    op.drop_table(f"{name}_old")
    op.rename_table(f"{name}_new", name)


def _monday(day: date) -> date:
    return day - timedelta(days=day.weekday())


def _to_mondays(table: str) -> None:
    bind = op.get_bind()
    days = [row[0] for row in bind.execute(sa.text(f"SELECT DISTINCT answered_on FROM {table}"))]
    for day in days:
        if isinstance(day, str):
            day = date.fromisoformat(day)
        if day != _monday(day):
            bind.execute(
                sa.text(f"UPDATE {table} SET answered_on = :monday WHERE answered_on = :day"),
                {"monday": _monday(day), "day": day},
            )


def _organisation_scopes(bind) -> dict[int, list[tuple[str, int]]]:
    """For each organisation: the counters an answer of it feeds (everyone,
    and itself and each ancestor below the root)."""
    parents = dict(bind.execute(sa.text("SELECT id, parent_id FROM organisations")).all())
    scopes = {}
    for organisation_id in parents:
        chain, current = [], organisation_id
        while current is not None and len(chain) <= len(parents):
            chain.append(current)
            current = parents[current]
        scopes[organisation_id] = [("all", 0)] + [("organisation", o) for o in chain if parents[o] is not None]
    return scopes


def upgrade() -> None:
    bind = op.get_bind()
    sqlite = bind.dialect.name == "sqlite"

    op.drop_table("answer_teams")
    bind.execute(
        sa.text("DELETE FROM tallies WHERE scope = :team AND mode != :team_mode"),
        {"team": SCOPE_TEAM, "team_mode": MODE_TEAM},
    )

    ratings = bind.execute(
        sa.text(
            "SELECT dilemma_id, organisation_id, late, difficulty, COUNT(*) FROM answers "
            "WHERE difficulty IS NOT NULL GROUP BY dilemma_id, organisation_id, late, difficulty"
        )
    ).all()
    op.drop_table("difficulty_tallies")
    difficulty = op.create_table(
        "difficulty_tallies",
        sa.Column("dilemma_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dilemma_id"], ["dilemmas.id"], name="fk_difficulty_tallies_dilemma_id_dilemmas", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(
            "dilemma_id", "scope", "scope_id", "late", "value", "shard", name="pk_difficulty_tallies"
        ),
    )
    scopes = _organisation_scopes(bind)
    counted: dict[tuple, int] = {}
    for dilemma_id, organisation_id, late, value, count in ratings:
        for scope, scope_id in scopes[organisation_id]:
            key = (dilemma_id, scope, scope_id, bool(late), value)
            counted[key] = counted.get(key, 0) + int(count)
    if counted:
        op.bulk_insert(
            difficulty,
            [
                dict(dilemma_id=d, scope=s, scope_id=i, late=late, value=v, shard=0, count=n)
                for (d, s, i, late, v), n in counted.items()
            ],
        )

    _to_mondays("answers")
    _to_mondays("team_answers")

    with op.batch_alter_table("installations") as table:
        table.alter_column("respondent_seed", existing_type=sa.String(length=64), nullable=True)

    op.create_table(
        "answer_reseals",
        sa.Column("dilemma_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dilemma_id"], ["dilemmas.id"], name="fk_answer_reseals_dilemma_id_dilemmas", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("dilemma_id", name="pk_answer_reseals"),
    )

    if sqlite:
        _rebuild_without_rowid("answers", _answers, ["dilemma_id", "respondent_key"])
        _rebuild_without_rowid("session_participants", _participants, ["session_id", "voter_key"])
        _rebuild_without_rowid("session_votes", _votes, ["session_id", "round", "voter_key"])


def downgrade() -> None:
    """Back to 0007's tables; what 0008 deleted (team sets, team counters of
    members' answers, days) does not come back, and installations without a
    seed get a new one, which leaves their answers unlinkable to them."""
    bind = op.get_bind()
    op.drop_table("answer_reseals")
    op.create_table(
        "answer_teams",
        sa.Column("dilemma_id", sa.Integer(), nullable=False),
        sa.Column("respondent_key", sa.String(length=64), nullable=False),
        sa.Column("team_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dilemma_id", "respondent_key"],
            ["answers.dilemma_id", "answers.respondent_key"],
            name="fk_answer_teams_dilemma_id_answers",
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["team_id"], ["teams.id"], name="fk_answer_teams_team_id_teams", ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("dilemma_id", "respondent_key", "team_id", name="pk_answer_teams"),
    )
    op.create_index("ix_answer_teams_team_id_dilemma_id", "answer_teams", ["team_id", "dilemma_id"])
    rows = bind.execute(
        sa.text(
            "SELECT dilemma_id, scope, scope_id, value, shard, SUM(count) FROM difficulty_tallies "
            "GROUP BY dilemma_id, scope, scope_id, value, shard"
        )
    ).all()
    op.drop_table("difficulty_tallies")
    difficulty = op.create_table(
        "difficulty_tallies",
        sa.Column("dilemma_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dilemma_id"], ["dilemmas.id"], name="fk_difficulty_tallies_dilemma_id_dilemmas", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("dilemma_id", "scope", "scope_id", "value", "shard", name="pk_difficulty_tallies"),
    )
    if rows:
        op.bulk_insert(
            difficulty,
            [dict(dilemma_id=d, scope=s, scope_id=i, value=v, shard=sh, count=int(n)) for d, s, i, v, sh, n in rows],
        )
    for (installation_id,) in bind.execute(sa.text("SELECT id FROM installations WHERE respondent_seed IS NULL")):
        bind.execute(
            sa.text("UPDATE installations SET respondent_seed = :seed WHERE id = :id"),
            {"seed": secrets.token_hex(32), "id": installation_id},
        )
    with op.batch_alter_table("installations") as table:
        table.alter_column("respondent_seed", existing_type=sa.String(length=64), nullable=False)
