"""The true counts of an edition, opened with the server secret as only the
release machinery does: the tests' ground truth for what answering counted."""

from __future__ import annotations

from dilemmas.counters import OPTION, RATING, counter_key, counts_of
from tests.conftest import SECRET

KEY = counter_key(SECRET.encode())


def option_counts(session, dilemma_id: int, late: bool | None = None) -> dict[tuple, int]:
    """{(scope, scope_id, mode, late, option): count}, non-zero only;
    ``late`` None: both."""
    counts = counts_of(session, KEY, [dilemma_id])[dilemma_id]
    return {
        (k[1], k[2], k[3], bool(k[4]), k[5]): n
        for k, n in counts.items()
        if k[0] == OPTION and n and (late is None or bool(k[4]) == late)
    }


def per_option(session, dilemma_id: int, scope: str, scope_id: int | None = None, late: bool | None = None) -> dict:
    """{option: count} of one scope (any scope id when None), modes summed."""
    found: dict[str, int] = {}
    for (s, i, _mode, _late, option), n in option_counts(session, dilemma_id, late).items():
        if s == scope and (scope_id is None or i == scope_id):
            found[option] = found.get(option, 0) + n
    return found


def ratings(session, dilemma_id: int, late: bool = False) -> dict[tuple, int]:
    """{(scope, scope_id, value): count}, non-zero only."""
    counts = counts_of(session, KEY, [dilemma_id])[dilemma_id]
    return {(k[1], k[2], k[4]): n for k, n in counts.items() if k[0] == RATING and n and bool(k[3]) == late}


def opened(session, dilemma_id: int, tokens) -> list:
    """The answers to a dilemma of the installations with these tokens,
    opened as only a request with the token can (``employee.answers``):
    the tests' ground truth for rows that are sealed."""
    from dilemmas.employee.answers import _unseal
    from dilemmas.employee.keys import key_base, respondent_key
    from dilemmas.model.answers import Answer

    found = []
    for token in tokens:
        base = key_base(SECRET.encode(), token)
        key = respondent_key(base, dilemma_id)
        sealed = session.query(Answer.sealed).filter_by(dilemma_id=dilemma_id, respondent_key=key).scalar()
        if sealed is not None:
            found.append(_unseal(base, dilemma_id, key, sealed))
    return found


def by_option(answers, organisation_id=None, late=None) -> dict[str, int]:
    result: dict[str, int] = {}
    for a in answers:
        if (organisation_id is None or a.organisation_id == organisation_id) and (late is None or a.late == late):
            result[a.option] = result.get(a.option, 0) + 1
    return result
