"""anonymity, third edition: a meeting's votes as one sealed vector, and no
limiter row that outlives its window

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-07 10:00:00

What changes (docs/anonymity.md, CHANGELOG):
- ``session_ballots``: every vote of a meeting, both rounds, as one vector
  sealed under a key of the server secret. ``session_votes`` (a row per
  vote, its option in clear, in the order of voting) goes. Its votes move
  into the vectors under random labels, one per voter and meeting, so that
  spreads and shifts stay; a phone no longer finds its own vote in a
  meeting from before the upgrade.
- ``rate_limits``: its rows were keyed by unpeppered hashes with times to
  the microsecond; they are deleted (the counts start again).

Sealing the existing votes needs the server secret: ``kompas db upgrade``
passes it; an upgrade without it refuses when there are votes to seal.
"""

import json
import secrets

import sqlalchemy as sa
from alembic import context, op

revision = "0015"
down_revision = "0014"
branch_labels = None
depends_on = None


def _fold(bind) -> None:
    from dilemmas.counters import counter_key
    from dilemmas.employee.ballots import PAD, vault_key
    from dilemmas.sealing import seal

    votes = bind.execute(sa.text("SELECT session_id, round, voter_key, option FROM session_votes")).all()
    if not votes:
        return
    secret = context.config.attributes.get("kompas.secret_key")
    if not secret:
        raise RuntimeError(
            "migration 0015 seals the existing meeting votes under the server secret: "
            "run it with `kompas db upgrade` (KOMPAS_SECRET_KEY set)"
        )
    key = vault_key(counter_key(secret))
    labels: dict[tuple[int, str], str] = {}
    vectors: dict[int, dict[str, dict[str, str]]] = {}
    for session_id, round_, voter, option in votes:
        label = labels.setdefault((session_id, voter), secrets.token_hex(32))
        vectors.setdefault(session_id, {}).setdefault(str(round_), {})[label] = option
    rows = []
    for session_id, rounds in vectors.items():
        plain = json.dumps(rounds, separators=(",", ":"), sort_keys=True).encode()
        plain += b" " * (-len(plain) % PAD)
        rows.append({"session_id": session_id, "sealed": seal(key, plain, f"meeting ballots {session_id}".encode())})
    table = sa.table("session_ballots", sa.column("session_id", sa.Integer()), sa.column("sealed", sa.LargeBinary()))
    op.bulk_insert(table, rows)


def upgrade() -> None:
    op.create_table(
        "session_ballots",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"],
            ["live_sessions.id"],
            name="fk_session_ballots_session_id_live_sessions",
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("session_id", name="pk_session_ballots"),
    )
    _fold(op.get_bind())
    op.drop_table("session_votes")
    op.execute("DELETE FROM rate_limits")


def downgrade() -> None:
    # Votes sealed under the server secret are not written back in clear.
    op.create_table(
        "session_votes",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("round", sa.Integer(), nullable=False),
        sa.Column("voter_key", sa.String(length=64), nullable=False),
        sa.Column("option", sa.String(length=1), nullable=False),
        sa.ForeignKeyConstraint(
            ["session_id"], ["live_sessions.id"], name="fk_session_votes_session_id_live_sessions", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("session_id", "round", "voter_key", name="pk_session_votes"),
        sqlite_with_rowid=False,
    )
    op.drop_table("session_ballots")
