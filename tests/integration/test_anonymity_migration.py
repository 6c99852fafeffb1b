"""Migration 0008 converts a database written under the old rules without
losing a single count: everyone's and every organisation's tallies stay,
every rating stays (split into in-week and late), answers keep their option;
what linked an answer to teams and times goes. On SQLite and PostgreSQL."""

from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import text

from dilemmas.storage import migrate
from dilemmas.storage.database import make_engine

# (key, organisation slug, option, mode, late, difficulty, day, teams)
ANSWERS = [
    ("k0", "rijk", "A", "alone", False, 2, date(2026, 12, 9), [1]),
    ("k1", "rijk", "B", "colleague", False, None, date(2026, 12, 10), [1]),
    ("k2", "douane", "B", "alone", False, 4, date(2026, 12, 8), [1, 2]),
    ("k3", "douane", "C", "alone", False, 4, date(2026, 12, 13), []),
    ("k4", "douane", "D", "alone", True, 5, date(2026, 12, 15), [2]),
    ("k5", "rijk", "A", "alone", True, 1, date(2026, 12, 16), []),
]


def test_the_anonymity_migration_loses_no_count(database_url):
    migrate.downgrade(database_url, "0007")
    engine = make_engine(database_url, immediate=False)
    try:
        with engine.begin() as connection:
            before = _write_old_rows(connection)
        migrate.upgrade(database_url, "0011")
        with engine.connect() as connection:
            after = _counts(connection)
            tables = _tables(connection)
            days = {row[0] for row in connection.execute(text("SELECT answered_on FROM answers"))}
            seeds = connection.execute(text("SELECT respondent_seed FROM installations")).scalars().all()
            ddl = (
                connection.execute(text("SELECT sql FROM sqlite_master WHERE name = 'answers'")).scalar()
                if engine.dialect.name == "sqlite"
                else "WITHOUT ROWID"
            )
    finally:
        engine.dispose()
    assert after["tallies"] == {k: v for k, v in before["tallies"].items() if k[0] != "team" or k[2] == "team"}
    assert after["answers"] == before["answers"]
    assert after["ratings"] == before["ratings"]
    assert after["late_ratings"] == Counter(
        {("all", 0, 5): 1, ("organisation", before["douane"], 5): 1, ("all", 0, 1): 1}
    )
    assert "answer_teams" not in tables
    assert {str(day) for day in days} == {"2026-12-07", "2026-12-14"}
    assert seeds == ["5eed" * 16]  # a legacy installation keeps its seed until its next request
    assert "WITHOUT ROWID" in ddl


def test_the_third_edition_folds_plain_answers_into_sealed_counters_and_deletes_them(database_url):
    """Migration 0012: plain answer rows cannot be sealed (no tokens); their
    counts stay in the sealed counters, the rows, the seeds and the plain
    counters go. Without the server secret it refuses rather than lose counts."""
    import pytest

    from dilemmas.counters import OPTION, RATING, counter_key, counts_of
    from dilemmas.storage.database import make_sessionmaker
    from tests.conftest import SECRET

    migrate.downgrade(database_url, "0007")
    engine = make_engine(database_url, immediate=False)
    try:
        with engine.begin() as connection:
            _write_old_rows(connection)
        migrate.upgrade(database_url, "0011")
        with engine.connect() as connection:
            before = _counts(connection)
            [dilemma_id] = connection.execute(text("SELECT DISTINCT dilemma_id FROM answers")).scalars().all()
        with pytest.raises(RuntimeError, match="secret"):
            migrate.upgrade(database_url)
        migrate.upgrade(database_url, secret_key=SECRET.encode())
        with make_sessionmaker(engine)() as session:
            vector = counts_of(session, counter_key(SECRET.encode()), [dilemma_id])[dilemma_id]
        with engine.connect() as connection:
            tables = _tables(connection)
            rows = connection.execute(text("SELECT COUNT(*) FROM answers")).scalar()
    finally:
        engine.dispose()
    options = Counter({(k[1], k[2], k[3], bool(k[4]), k[5]): n for k, n in vector.items() if k[0] == OPTION})
    assert options == Counter({k: v for k, v in before["tallies"].items() if k[0] != "team"})
    ratings: Counter = Counter()
    for k, n in vector.items():
        if k[0] == RATING:
            ratings[(k[1], k[2], k[4])] += n
    assert ratings == before["ratings"]
    assert rows == 0
    assert not {"tallies", "difficulty_tallies", "answer_reseals"} & tables
    assert {"answer_counts", "privacy_ledger", "released_cells"} <= tables


def _tables(connection) -> set[str]:
    if connection.dialect.name == "sqlite":
        return set(connection.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
    return set(connection.execute(text("SELECT tablename FROM pg_tables WHERE schemaname = 'public'")).scalars())


def _write_old_rows(connection) -> dict:
    organisations = dict(connection.execute(text("SELECT slug, id FROM organisations")).all())
    dilemma, revision = connection.execute(text("SELECT dilemma_id, id FROM revisions ORDER BY id LIMIT 1")).one()
    connection.execute(
        text(
            "INSERT INTO installations (id, token_hash, respondent_seed, organisation_id, platform, locale,"
            " notify_weekly, notify_reminders, created_at) VALUES ('i1', 'h1', :seed, :org, 'ios', 'nl', true,"
            " false, '2026-12-01 08:00:00+00')"
        ),
        {"seed": "5eed" * 16, "org": organisations["rijk"]},
    )
    for team in (1, 2):
        connection.execute(
            text(
                "INSERT INTO teams (id, organisation_id, name, invite_code, next_handle, created_at)"
                " VALUES (:id, :org, :name, :code, 1, '2026-12-01 08:00:00+00')"
            ),
            {"id": team, "org": organisations["rijk"], "name": f"Team {team}", "code": f"CODE{team}"},
        )
    tallies: Counter = Counter()
    ratings: Counter = Counter()
    for key, slug, option, mode, late, difficulty, day, teams in ANSWERS:
        organisation = organisations[slug]
        connection.execute(
            text(
                "INSERT INTO answers (dilemma_id, respondent_key, revision_id, organisation_id, option, mode,"
                " difficulty, answered_on, late) VALUES (:d, :k, :r, :o, :option, :mode, :difficulty, :day, :late)"
            ),
            dict(
                d=dilemma,
                k=key,
                r=revision,
                o=organisation,
                option=option,
                mode=mode,
                difficulty=difficulty,
                day=day,
                late=late,
            ),
        )
        scopes = [("all", 0)] + ([("organisation", organisation)] if slug != "rijk" else [])
        for team in teams:
            connection.execute(
                text("INSERT INTO answer_teams (dilemma_id, respondent_key, team_id) VALUES (:d, :k, :t)"),
                dict(d=dilemma, k=key, t=team),
            )
        for scope, scope_id in scopes + [("team", t) for t in teams]:
            tallies[(scope, scope_id, mode, late, option)] += 1
        if difficulty is not None:
            for scope, scope_id in scopes:
                ratings[(scope, scope_id, difficulty)] += 1
    tallies[("team", 1, "team", False, "B")] += 1  # a meeting's joint answer
    for (scope, scope_id, mode, late, option), count in tallies.items():
        connection.execute(
            text(
                "INSERT INTO tallies (dilemma_id, scope, scope_id, mode, late, option, shard, count)"
                " VALUES (:d, :s, :i, :m, :l, :o, 0, :n)"
            ),
            dict(d=dilemma, s=scope, i=scope_id, m=mode, l=late, o=option, n=count),
        )
    for (scope, scope_id, value), count in ratings.items():
        connection.execute(
            text(
                "INSERT INTO difficulty_tallies (dilemma_id, scope, scope_id, value, shard, count)"
                " VALUES (:d, :s, :i, :v, 0, :n)"
            ),
            dict(d=dilemma, s=scope, i=scope_id, v=value, n=count),
        )
    return {**_counts(connection), "douane": organisations["douane"]}


def _counts(connection) -> dict:
    tallies = Counter(
        {
            (scope, scope_id, mode, bool(late), option): int(count)
            for scope, scope_id, mode, late, option, count in connection.execute(
                text(
                    "SELECT scope, scope_id, mode, late, option, SUM(count) FROM tallies"
                    " GROUP BY scope, scope_id, mode, late, option"
                )
            )
        }
    )
    ratings = Counter(
        {
            (scope, scope_id, value): int(count)
            for scope, scope_id, value, count in connection.execute(
                text(
                    "SELECT scope, scope_id, value, SUM(count) FROM difficulty_tallies GROUP BY scope, scope_id, value"
                )
            )
        }
    )
    late = Counter()
    if "late" in _difficulty_columns(connection):
        late = Counter(
            {
                (scope, scope_id, value): int(count)
                for scope, scope_id, value, count in connection.execute(
                    text(
                        "SELECT scope, scope_id, value, SUM(count) FROM difficulty_tallies WHERE late"
                        " GROUP BY scope, scope_id, value"
                    )
                )
            }
        )
    answers = Counter(connection.execute(text("SELECT respondent_key, option, late FROM answers")).all())
    return {"tallies": tallies, "ratings": ratings, "late_ratings": late, "answers": answers}


def _difficulty_columns(connection) -> set[str]:
    return set(connection.execute(text("SELECT * FROM difficulty_tallies LIMIT 0")).keys())
