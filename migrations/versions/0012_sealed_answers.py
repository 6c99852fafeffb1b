"""anonymity, third edition: sealed answers, one sealed counter vector per
edition, differentially private releases and their budget

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-07 07:00:00

What changes (docs/anonymity.md, CHANGELOG):
- ``answer_counts``: every count of an edition as one vector sealed under
  a key of the server secret. The counts of ``tallies`` and
  ``difficulty_tallies`` move there (the team counters of joint answers go:
  ``team_answers`` keeps those answers and nothing read the counters).
- Existing answer rows were stored in the clear and cannot be sealed (the
  server never had their tokens): their counts stay in the counters and the
  rows are deleted. ``answers`` becomes (dilemma_id, respondent_key,
  sealed): no revision, organisation, option, mode, rating, day or
  lateness in the clear.
- ``installations.respondent_seed`` goes, with the legacy rekeying.
- ``answer_reseals`` goes: sealed rows say nothing worth reordering.
- ``privacy_ledger`` and ``released_cells``: the releases and their budget.

Folding counts into sealed vectors needs the server secret: ``kompas init``
and ``kompas db upgrade`` pass it; an upgrade without it refuses when there
are counts to fold.
"""

import json

import sqlalchemy as sa
from alembic import context, op

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def _fold(bind) -> None:
    from dilemmas.counters import OPTION, PAD, RATING, counter_key
    from dilemmas.sealing import seal

    options = bind.execute(
        sa.text(
            "SELECT dilemma_id, scope, scope_id, mode, late, option, SUM(count) FROM tallies "
            "WHERE scope != 'team' GROUP BY dilemma_id, scope, scope_id, mode, late, option"
        )
    ).all()
    ratings = bind.execute(
        sa.text(
            "SELECT dilemma_id, scope, scope_id, late, value, SUM(count) FROM difficulty_tallies "
            "GROUP BY dilemma_id, scope, scope_id, late, value"
        )
    ).all()
    vectors: dict[int, dict[tuple, int]] = {}
    for dilemma_id, scope, scope_id, mode, late, option, count in options:
        if count:
            vectors.setdefault(dilemma_id, {})[(OPTION, scope, scope_id, mode, int(bool(late)), option)] = int(count)
    for dilemma_id, scope, scope_id, late, value, count in ratings:
        if count:
            vectors.setdefault(dilemma_id, {})[(RATING, scope, scope_id, int(bool(late)), int(value))] = int(count)
    if not vectors:
        return
    secret = context.config.attributes.get("kompas.secret_key")
    if not secret:
        raise RuntimeError(
            "migration 0012 seals the existing answer counts under the server secret: "
            "run it with `kompas db upgrade` (KOMPAS_SECRET_KEY set)"
        )
    key = counter_key(secret)
    table = sa.table(
        "answer_counts",
        sa.column("dilemma_id", sa.Integer()),
        sa.column("shard", sa.Integer()),
        sa.column("sealed", sa.LargeBinary()),
    )
    rows = []
    for dilemma_id, counts in vectors.items():
        plain = json.dumps(sorted([list(k), n] for k, n in counts.items()), separators=(",", ":")).encode()
        plain += b" " * (-len(plain) % PAD)
        sealing_context = f"answer counts {dilemma_id}:0".encode()
        rows.append({"dilemma_id": dilemma_id, "shard": 0, "sealed": seal(key, plain, sealing_context)})
    op.bulk_insert(table, rows)


def upgrade() -> None:
    bind = op.get_bind()
    op.create_table(
        "answer_counts",
        sa.Column("dilemma_id", sa.Integer(), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False, autoincrement=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dilemma_id"], ["dilemmas.id"], name="fk_answer_counts_dilemma_id_dilemmas", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("dilemma_id", "shard", name="pk_answer_counts"),
    )
    _fold(bind)
    op.drop_table("tallies")
    op.drop_table("difficulty_tallies")
    op.drop_table("answer_reseals")
    op.drop_table("answers")
    op.create_table(
        "answers",
        sa.Column("dilemma_id", sa.Integer(), nullable=False),
        sa.Column("respondent_key", sa.String(length=64), nullable=False),
        sa.Column("sealed", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dilemma_id"], ["dilemmas.id"], name="fk_answers_dilemma_id_dilemmas", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("dilemma_id", "respondent_key", name="pk_answers"),
        sqlite_with_rowid=False,
    )
    with op.batch_alter_table("installations") as table:
        table.drop_column("respondent_seed")
    op.create_table(
        "privacy_ledger",
        sa.Column("dilemma_id", sa.Integer(), nullable=False),
        sa.Column("release", sa.String(length=32), nullable=False),
        sa.Column("part", sa.String(length=32), nullable=False),
        sa.Column("epsilon", sa.Float(), nullable=False),
        sa.Column("release_id", sa.String(length=32), nullable=False),
        sa.ForeignKeyConstraint(
            ["dilemma_id"], ["dilemmas.id"], name="fk_privacy_ledger_dilemma_id_dilemmas", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("dilemma_id", "release", name="pk_privacy_ledger"),
        sa.UniqueConstraint("release_id", name="uq_privacy_ledger_release_id"),
    )
    op.create_table(
        "released_cells",
        sa.Column("dilemma_id", sa.Integer(), nullable=False),
        sa.Column("release", sa.String(length=32), nullable=False),
        sa.Column("measure", sa.String(length=16), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("cell", sa.String(length=16), nullable=False),
        sa.Column("value", sa.Integer(), nullable=False),
        sa.Column("scale", sa.Float(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dilemma_id"], ["dilemmas.id"], name="fk_released_cells_dilemma_id_dilemmas", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(
            "dilemma_id", "release", "measure", "scope", "scope_id", "cell", name="pk_released_cells"
        ),
    )


def downgrade() -> None:
    """Back to 0011's tables, empty: sealed answers cannot be unsealed
    without their tokens, and the counts are not unsealed here."""
    op.drop_table("released_cells")
    op.drop_table("privacy_ledger")
    with op.batch_alter_table("installations") as table:
        table.add_column(sa.Column("respondent_seed", sa.String(length=64), nullable=True))
    op.drop_table("answers")
    op.create_table(
        "answers",
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
        sqlite_with_rowid=False,
    )
    op.create_table(
        "answer_reseals",
        sa.Column("dilemma_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dilemma_id"], ["dilemmas.id"], name="fk_answer_reseals_dilemma_id_dilemmas", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("dilemma_id", name="pk_answer_reseals"),
    )
    op.create_table(
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
    op.create_table(
        "tallies",
        sa.Column("dilemma_id", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=16), nullable=False),
        sa.Column("scope_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("late", sa.Boolean(), nullable=False),
        sa.Column("option", sa.String(length=1), nullable=False),
        sa.Column("shard", sa.Integer(), nullable=False),
        sa.Column("count", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["dilemma_id"], ["dilemmas.id"], name="fk_tallies_dilemma_id_dilemmas", ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint(
            "dilemma_id", "scope", "scope_id", "mode", "late", "option", "shard", name="pk_tallies"
        ),
    )
    op.drop_table("answer_counts")
