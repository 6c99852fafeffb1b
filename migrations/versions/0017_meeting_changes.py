"""meeting changes: one number per live meeting that every change the
presenter screen shows moves

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-07 09:30:00

The presenter screen polls its live part every two seconds; a poll whose
ETag still holds is answered 304 from this number (``meeting_changes``),
read in one query, instead of reading and rendering the meeting
(api/screen/pages.py). Triggers move it in the same transaction as the
change, so no code path that changes a meeting can forget it:

- the meeting's own row: its state, round, revealed round, join code,
  shift or end (not ``failed_joins`` nor ``open_team_id``: the screen shows
  neither);
- a participant joining or leaving;
- a vote cast: not by a trigger, since a meeting's votes are one sealed
  row rewritten on every vote (migration 0015), but by
  ``dilemmas.employee.ballots.cast`` when the round's count grows (never a
  vote changed within a round: the screen shows how many voted, not what,
  so the number may not tell that someone changed their mind);
- the method followed and its step, the outcome and its values, the
  team's joint answer, a screen's steering right taken back or used, the
  team's name, a method's steps.

The row is separate from ``live_sessions``: votes hold a share lock on the
meeting's row, and two voters each upgrading it to bump a number there
would deadlock. Every path takes the meeting's row first and this one
second, so the order is the same everywhere. SQLite has no statement
triggers with a row's values; these are row triggers on both.
"""

import sqlalchemy as sa
from alembic import op

revision = "0017"
down_revision = "0016"
branch_labels = None
depends_on = None


def _bump(session_id: str) -> str:
    return f"UPDATE meeting_changes SET version = version + 1 WHERE session_id = {session_id}"


# table -> (events, the meeting's id in the changed row, or a query of the
# meetings the row belongs to)
WATCHED = {
    "session_participants": (("INSERT", "DELETE"), "session_id"),
    "meeting_deliberations": (("INSERT", "UPDATE", "DELETE"), "session_id"),
    "meeting_outcomes": (("INSERT", "UPDATE", "DELETE"), "session_id"),
    "meeting_outcome_values": (("INSERT", "UPDATE", "DELETE"), "session_id"),
    "meeting_screen_codes": (("UPDATE", "DELETE"), "session_id"),
    "team_answers": (("INSERT", "UPDATE", "DELETE"), "session_id"),
}
SHOWN = ("state", "round", "revealed_round", "join_code", "shift", "expires_at")
SHOWN_COLUMNS = ", ".join(SHOWN)
# A statement may set a shown column to its own value beside one the
# screen does not show: only a new value moves the number.
SHOWN_CHANGED = " OR ".join(f"OLD.{c} IS DISTINCT FROM NEW.{c}" for c in SHOWN)


def upgrade() -> None:
    op.create_table(
        "meeting_changes",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("version", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name=op.f("fk_meeting_changes_session_id_live_sessions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_meeting_changes")),
    )
    op.execute("INSERT INTO meeting_changes (session_id, version) SELECT id, 1 FROM live_sessions")
    if op.get_bind().dialect.name == "postgresql":
        _postgresql()
    else:
        _sqlite()


def _postgresql() -> None:
    op.execute(
        "CREATE FUNCTION meeting_created() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN INSERT INTO meeting_changes (session_id, version) VALUES (NEW.id, 1); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER meeting_created AFTER INSERT ON live_sessions "
        "FOR EACH ROW EXECUTE FUNCTION meeting_created()"
    )
    op.execute(
        "CREATE FUNCTION meeting_changed() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {_bump('NEW.id')}; RETURN NULL; END $$"
    )
    op.execute(
        f"CREATE TRIGGER meeting_changed AFTER UPDATE OF {SHOWN_COLUMNS} ON live_sessions "
        f"FOR EACH ROW WHEN ({SHOWN_CHANGED}) EXECUTE FUNCTION meeting_changed()"
    )
    # NEW is NULL in a DELETE trigger and OLD in an INSERT trigger.
    op.execute(
        "CREATE FUNCTION meeting_part_changed() RETURNS trigger LANGUAGE plpgsql AS "
        f"$$ BEGIN {_bump('COALESCE(NEW.session_id, OLD.session_id)')}; RETURN NULL; END $$"
    )
    for table, (events, _) in WATCHED.items():
        op.execute(
            f"CREATE TRIGGER meeting_part_changed AFTER {' OR '.join(events)} ON {table} "
            "FOR EACH ROW EXECUTE FUNCTION meeting_part_changed()"
        )
    op.execute(
        "CREATE FUNCTION meeting_team_renamed() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN UPDATE meeting_changes SET version = version + 1 WHERE session_id IN "
        "(SELECT id FROM live_sessions WHERE team_id = NEW.id); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER meeting_team_renamed AFTER UPDATE OF name ON teams "
        "FOR EACH ROW EXECUTE FUNCTION meeting_team_renamed()"
    )
    op.execute(
        "CREATE FUNCTION meeting_method_changed() RETURNS trigger LANGUAGE plpgsql AS "
        "$$ BEGIN UPDATE meeting_changes SET version = version + 1 WHERE session_id IN "
        "(SELECT session_id FROM meeting_deliberations WHERE method_slug = NEW.slug); RETURN NULL; END $$"
    )
    op.execute(
        "CREATE TRIGGER meeting_method_changed AFTER UPDATE ON meeting_methods "
        "FOR EACH ROW EXECUTE FUNCTION meeting_method_changed()"
    )


def _sqlite() -> None:
    op.execute(
        "CREATE TRIGGER meeting_created AFTER INSERT ON live_sessions "
        "BEGIN INSERT INTO meeting_changes (session_id, version) VALUES (NEW.id, 1); END"
    )
    op.execute(
        f"CREATE TRIGGER meeting_changed AFTER UPDATE OF {SHOWN_COLUMNS} ON live_sessions "
        f"WHEN {SHOWN_CHANGED.replace('IS DISTINCT FROM', 'IS NOT')} BEGIN {_bump('NEW.id')}; END"
    )
    for table, (events, column) in WATCHED.items():
        for event in events:
            row = "OLD" if event == "DELETE" else "NEW"
            op.execute(
                f"CREATE TRIGGER meeting_part_changed_{table}_{event.lower()} AFTER {event} ON {table} "
                f"BEGIN {_bump(f'{row}.{column}')}; END"
            )
    op.execute(
        "CREATE TRIGGER meeting_team_renamed AFTER UPDATE OF name ON teams BEGIN UPDATE meeting_changes "
        "SET version = version + 1 WHERE session_id IN (SELECT id FROM live_sessions WHERE team_id = NEW.id); END"
    )
    op.execute(
        "CREATE TRIGGER meeting_method_changed AFTER UPDATE ON meeting_methods BEGIN UPDATE meeting_changes "
        "SET version = version + 1 WHERE session_id IN "
        "(SELECT session_id FROM meeting_deliberations WHERE method_slug = NEW.slug); END"
    )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP TRIGGER meeting_created ON live_sessions")
        op.execute("DROP TRIGGER meeting_changed ON live_sessions")
        for table in WATCHED:
            op.execute(f"DROP TRIGGER meeting_part_changed ON {table}")
        op.execute("DROP TRIGGER meeting_team_renamed ON teams")
        op.execute("DROP TRIGGER meeting_method_changed ON meeting_methods")
        for function in ("meeting_created", "meeting_changed", "meeting_part_changed", "meeting_team_renamed",
                         "meeting_method_changed"):  # fmt: skip
            op.execute(f"DROP FUNCTION {function}()")
    else:
        for trigger in ("meeting_created", "meeting_changed", "meeting_team_renamed", "meeting_method_changed"):
            op.execute(f"DROP TRIGGER {trigger}")
        for table, (events, _) in WATCHED.items():
            for event in events:
                op.execute(f"DROP TRIGGER meeting_part_changed_{table}_{event.lower()}")
    op.drop_table("meeting_changes")
