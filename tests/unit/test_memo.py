"""The per-process memo of the content tables (``dilemmas.reads.memo``)."""

from dilemmas.reads.memo import Memo


class Counting:
    def __init__(self, value):
        self.value, self.calls = value, 0

    def __call__(self):
        self.calls += 1
        return self.value


def test_values_are_kept_while_the_generation_stays_and_forgotten_when_it_moves():
    memo = Memo()
    tree = Counting("tree at 5")
    assert memo.get(5, "tree", tree) == "tree at 5"
    assert memo.get(5, "tree", tree) == "tree at 5"
    assert tree.calls == 1
    newer = Counting("tree at 6")
    assert memo.get(6, "tree", newer) == "tree at 6"
    assert newer.calls == 1


def test_a_request_that_read_an_older_generation_never_stores_into_a_newer_one():
    memo = Memo()
    # Thread A read generation 5; thread B, later, generation 6.
    memo.get(6, "other", Counting("at 6"))
    stale = Counting("computed from the snapshot of 5")
    assert memo.get(5, "tree", stale) == "computed from the snapshot of 5"
    fresh = Counting("computed at 6")
    assert memo.get(6, "tree", fresh) == "computed at 6"
    assert fresh.calls == 1


def test_a_request_that_switched_late_stores_into_the_values_it_read_with():
    memo = Memo()
    memo.get(5, "warm", Counting("at 5"))

    # A (generation 5) is computing while B moves the memo to generation 6:
    # what A computes must not land among generation 6's values.
    def slow_compute():
        memo.get(6, "warm", Counting("at 6"))
        return "computed by A from generation 5"

    assert memo.get(5, "tree", slow_compute) == "computed by A from generation 5"
    assert memo.get(6, "tree", Counting("computed at 6")) == "computed at 6"


class Forgotten(Exception):
    pass


def forgotten():
    raise Forgotten


def remembered_keys(memo, generation, keys):
    """The keys whose values the memo still holds; asking with a compute
    that raises stores nothing, so looking does not change the memo."""
    held = []
    for key in keys:
        try:
            memo.get(generation, key, forgotten)
        except Forgotten:
            continue
        held.append(key)
    return held


def test_its_size_is_bounded():
    memo = Memo(size=3)
    for key in range(10):
        memo.get(1, key, Counting(key))
        held = remembered_keys(memo, 1, range(10))
        assert len(held) <= 3 and key in held
