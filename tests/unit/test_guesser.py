"""The label-blind guesser, the review dates and B1 sentences, as `kompas
content check` enforces them (content third edition)."""

from datetime import date, timedelta

import pytest

from content import guesser, loader, policy, rules

# The bundled bank is checked against a fixed day, so CI never turns red by
# the calendar alone.
FIXED_DAY = date(2026, 12, 7)
REVIEWED = date(2026, 11, 28)

# Wording a careless author writes: the aligned option names the official
# channel at length, the conflicts option is a one-line strawman.
CAREFUL = "Je bespreekt het eerst zorgvuldig met je leidinggevende en legt samen vast wat er is gebeurd."
CHANNEL = "Je meldt het bij het meldpunt integriteit en vraagt de vertrouwenspersoon om advies."
SHRUG = "Je laat het gaan."
MIDDLE = "Je vraagt een collega wat die ervan vindt."


def option(key, alignment, text):
    return {"key": key, "text": text, "alignment": alignment, "feedback": "Zo verhoudt dit zich tot de code."}


def gameable(index):
    """Dilemma number ``index`` of a bank whose answers show in the wording;
    the positions rotate, so position alone gives nothing away."""
    parts = [("aligned", CAREFUL), ("grey", CHANNEL), ("grey", MIDDLE), ("conflicts", SHRUG)]
    shift = index % 4
    parts = parts[shift:] + parts[:shift]
    return {"options": [option(k, a, t) for k, (a, t) in zip("ABCD", parts, strict=True)]}


def blind(index):
    """A dilemma whose four options read alike: the labels rotate over the
    positions and the texts say nothing about them."""
    labels = ["aligned", "grey", "grey", "conflicts"]
    shift = index % 4
    labels = labels[shift:] + labels[:shift]
    texts = [f"Je kiest aanpak {n} en vertelt je team waarom je dat doet." for n in ("een", "twee", "drie", "vier")]
    return {"options": [option(k, a, t) for k, a, t in zip("ABCD", labels, texts, strict=True)]}


def test_a_gameable_bank_is_found_on_both_labels():
    aligned, conflicts = guesser.guess([gameable(i) for i in range(24)])
    assert aligned.rate == 1.0 and conflicts.rate == 1.0
    assert aligned.chance == 0.25 and conflicts.chance == 0.25
    assert aligned.too_high and conflicts.too_high
    problems = rules.guess_problems(aligned, conflicts)
    assert [p.field for p in problems] == ["guesser", "guesser"]
    assert "finds the aligned option in 24 of 24 = 100% (chance 25%, at most 35%)" in problems[0].message


def test_a_bank_without_cues_stays_at_chance():
    aligned, conflicts = guesser.guess([blind(i) for i in range(24)])
    assert aligned.rate <= aligned.limit and conflicts.rate <= conflicts.limit
    assert rules.guess_problems(aligned, conflicts) == []


def test_chance_follows_the_label_mix():
    two = {
        "options": [
            option(k, a, f"Je doet {k}.")
            for k, a in zip("ABCD", ["aligned", "aligned", "grey", "conflicts"], strict=True)
        ]
    }
    none = {
        "options": [
            option(k, a, f"Je doet {k}.")
            for k, a in zip("ABCD", ["grey", "grey", "conflicts", "conflicts"], strict=True)
        ]
    }
    aligned = guesser.evaluate([two, none], "aligned")
    assert aligned.chance == pytest.approx((2 / 4 + 0) / 2)
    conflicts = guesser.evaluate([two, none], "conflicts")
    assert conflicts.chance == pytest.approx((1 / 4 + 2 / 4) / 2)


def test_the_threshold_is_chance_plus_ten_points_from_twelve_dilemmas():
    at_limit = guesser.GuessRate("aligned", hits=7, total=20, chance=0.25)  # 35 %
    above = guesser.GuessRate("aligned", hits=8, total=20, chance=0.25)  # 40 %
    assert not at_limit.too_high and above.too_high
    small = guesser.GuessRate("aligned", hits=11, total=11, chance=0.25)
    assert not small.too_high  # too few dilemmas to say anything


def test_the_bundled_bank_passes_the_guesser_and_the_table_prints_both_rates():
    bank = loader.read()
    seen = policy.coverage(bank, FIXED_DAY)
    assert not seen.guessed_aligned.too_high, seen.guessed_aligned.line()
    assert not seen.guessed_conflicts.too_high, seen.guessed_conflicts.line()
    table = seen.table()
    assert "finds aligned" in table and "finds conflicts" in table and "chance" in table
    assert policy.bank_problems(bank, seen, today=FIXED_DAY, strict=True) == []


def dated(slug, due, **fields):
    data = {"slug": slug, "reviewed": REVIEWED, "review_by": due, "options": []}
    data.update(fields)
    return data


class FakeBank:
    """The two lists the review rules read; the rules take any object with them."""

    def __init__(self, dilemmas, codes=()):
        self.dilemmas = [(f"dilemmas/rijk/{d['slug']}.yaml", d) for d in dilemmas]
        self.codes = list(codes)


def test_reviews_are_spread_over_the_months():
    spread = [dated(f"d{i}", date(2027, 1 + i % 12, 10)) for i in range(24)]
    assert rules.review_problems(FakeBank(spread), FIXED_DAY) == []
    bunched = spread[:20] + [dated(f"x{i}", date(2027, 3, 1 + i)) for i in range(4)]
    found = rules.review_problems(FakeBank(bunched), FIXED_DAY)
    assert [p.message for p in found] == ["6 of 24 reviews fall in 2027-03; at most a sixth may share a month"]


def test_a_past_review_date_fails_only_in_strict_mode():
    items = [dated(f"d{i}", date(2027, 1 + i % 12, 10)) for i in range(12)]
    late = date(2027, 1, 11)
    assert rules.review_problems(FakeBank(items), late) == []
    strict = rules.review_problems(FakeBank(items), late, strict=True)
    assert [(p.file, p.field) for p in strict] == [("dilemmas/rijk/d0.yaml", "review_by")]
    assert "has passed" in strict[0].message


def test_review_by_is_required_after_reviewed_and_not_after_expiry():
    missing = {"slug": "zonder", "reviewed": REVIEWED}
    early = dated("vroeg", REVIEWED - timedelta(days=1))
    far = dated("ver", REVIEWED + timedelta(days=800))
    after = dated("na", date(2027, 6, 1), expires=date(2027, 5, 1))
    found = {
        (p.file.split("/")[-1], p.message.split(" ")[0])
        for p in rules.review_problems(FakeBank([missing, early, far, after]), FIXED_DAY)
    }
    assert ("zonder.yaml", "is") in found
    assert ("vroeg.yaml", str(REVIEWED - timedelta(days=1))) in found
    assert ("ver.yaml", str(REVIEWED + timedelta(days=800))) in found
    assert ("na.yaml", "2027-06-01") in found


def test_the_bundled_bank_has_review_dates_spread_and_none_past_on_the_fixed_day():
    bank = loader.read()
    assert all(isinstance(d.get("review_by"), date) for _, d in bank.dilemmas)
    assert rules.review_problems(bank, FIXED_DAY, strict=True) == []
    seen = policy.coverage(bank, FIXED_DAY)
    assert seen.overdue == [] and max(seen.per_review_month.values()) * 6 <= sum(seen.per_review_month.values())
    # Two years on, everything is due: the table lists it, strict mode fails on it.
    later = policy.coverage(bank, FIXED_DAY + timedelta(days=730))
    assert len(later.overdue) == len(bank.dilemmas) + sum(
        1 for _, c in bank.codes for ch in c["chapters"] for s in ch["sections"] if "review_by" in s
    )
    assert "past due" in later.table()


def test_a_long_sentence_in_an_explanation_is_found():
    long = " ".join(["woord"] * 22) + "."
    short = " ".join(["woord"] * 21) + ". " + " ".join(["ander"] * 21) + "."
    assert rules.long_sentences(long) == [(22, long)]
    assert rules.long_sentences(short) == []
    bank = FakeBank([{"slug": "lang", "explanation": long, "options": [{"feedback": short}]}])
    assert [(p.field) for p in rules.sentence_problems(bank)] == ["explanation"]
