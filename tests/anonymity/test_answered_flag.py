"""The office's ``answered`` flag (admin API and console), as an analyst or
admin of any role reads it (issue 23, "Also"). While a week was open it
flipped at the week's first answer; after the close it was still an exact
bit: in a small organisation, "someone answered" is "that colleague
answered". Now it is nothing while the week is open, and after the close
post-processing of the edition's released noisy total of everyone."""

from __future__ import annotations

import math

from scoring.releases import noise_variance, shown_count
from tests.anonymity.conftest import MONDAY, NEXT_TUESDAY

OPTIONS = ("A", "B", "C", "D")


def _flag(world, token: str, dilemma_id: int) -> bool:
    status, _, body = world.call("GET", f"/api/v1/admin/dilemmas/{dilemma_id}", token=token)
    assert status == 200, body
    return body["answered"]


def _released_total(world, dilemma_id: int) -> tuple[int, float]:
    """The noisy total of everyone and its variance, from the stored cells
    of the edition's release after the close (what anyone may read)."""
    rows = world.sql(
        "SELECT cell, value, scale FROM released_cells "
        "WHERE dilemma_id = :d AND measure = 'options' AND scope = 'all' AND scope_id = 0",
        d=dilemma_id,
    )
    assert sorted(cell for cell, _, _ in rows) == list(OPTIONS)
    return sum(value for _, value, _ in rows), len(OPTIONS) * noise_variance(rows[0][2])


def test_the_flag_is_the_released_total_and_not_a_bit_of_one_answer(world):
    world.at(MONDAY)
    colleague = world.register()
    dilemma = world.current(colleague)["id"]
    admin = world.admin("publisher")
    assert _flag(world, admin, dilemma) is False
    world.answer(colleague, dilemma, "C")
    assert _flag(world, admin, dilemma) is False  # the week is open: nothing
    world.at(NEXT_TUESDAY)
    flag = _flag(world, admin, dilemma)
    total, variance = _released_total(world, dilemma)
    # Post-processing of the release: shown only when the noisy total is
    # far above its noise. One answer leaves it below that, but for a
    # chance of about 5 in 10,000; whichever way the noise fell, the flag
    # follows the release and not the one answer.
    assert flag is (shown_count(total, variance) is not None)
    assert 1.96 * math.sqrt(variance) > 0.5 * 40  # a total under 40 is never called "answered"
