"""A label-blind guesser: can a reader find the aligned (or the conflicts)
option of a dilemma from the wording alone, without knowing the code?

It sees only the four option texts: their length, their position, and a few
groups of words that give answers away in a careless bank (official
channels, absolutist words, negation, caution, reasons). From those cues it
learns, per label, one weight per cue (a conditional logit: the four options
of a dilemma compete for the label) and picks, per dilemma, the option that
scores highest. Its hit rate is measured by k-fold cross-validation, so it
never grades a dilemma it learned from: the rate is what a reader who had
studied the rest of the bank would score on a dilemma new to him.

A bank a reader cannot game keeps both rates near chance: the expected hit
rate of a random pick, given the bank's mix of labels.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

KEYS = ("A", "B", "C", "D")
FOLDS = 10
# Ridge on the weights and plain gradient ascent: a handful of cues needs no
# more, and the result does not hang on a random start.
PENALTY = 0.5
STEPS = 120
STEP_SIZE = 0.3
# The check fails when either rate exceeds chance by more than this, on a
# bank of at least GUESS_FROM dilemmas (fewer say nothing).
MARGIN = 0.10
GUESS_FROM = 12

# Word groups that give labels away in a careless bank. Matched on the
# lower-cased option text as whole words or word starts.
CUES: dict[str, re.Pattern[str]] = {
    "channel": re.compile(
        r"\b(leidinggevende|teamleider|teamleiding|manager|directeur|meldpunt|vertrouwenspersoon|"
        r"integriteitsco\w*|compliance\w*|jurist\w*|privacy\w*|functionaris|p&o|hr|beveiligings\w*|"
        r"meld\w*|overleg\w*|bespreek\w*|voorleg\w*|leg\w* .{0,30}voor)\b"
    ),
    "absolute": re.compile(r"\b(nooit|altijd|alles|niets|niemand|meteen|direct|gewoon|helemaal|zeker|elke?)\b"),
    "negation": re.compile(r"\b(niet|geen|niets|nooit|niemand|weiger\w*|af|nee)\b"),
    "caution": re.compile(r"\b(eerst|zorgvuldig\w*|schriftelijk|vastleg\w*|noteer\w*|transparant\w*|open\w*|samen)\b"),
    "quiet": re.compile(r"\b(zelf|stil\w*|even|toch|laat|houd\w*|zwijg\w*|onder vier ogen|informeel)\b"),
    "reason": re.compile(r"\b(want|omdat|zodat|aangezien|doordat|om)\b|;|[.!?]\s+\w"),
}
FEATURES = (
    "length",
    "longest",
    "shortest",
    "position B",
    "position C",
    "position D",
    *CUES,
)


@dataclass
class GuessRate:
    label: str
    hits: int = 0
    total: int = 0
    chance: float = 0.0

    @property
    def rate(self) -> float:
        return self.hits / self.total if self.total else 0.0

    @property
    def limit(self) -> float:
        return self.chance + MARGIN

    @property
    def too_high(self) -> bool:
        return self.total >= GUESS_FROM and self.rate > self.limit

    def line(self) -> str:
        return f"{self.hits} of {self.total} = {self.rate:.0%} (chance {self.chance:.0%}, at most {self.limit:.0%})"


def option_features(texts: list[str]) -> list[list[float]]:
    """One feature vector per option: what a reader sees without the labels."""
    lengths = [len(t) for t in texts]
    mean = sum(lengths) / len(lengths) or 1.0
    rows = []
    for index, text in enumerate(texts):
        lower = text.casefold()
        row = [
            math.log(max(lengths[index], 1) / mean),
            float(lengths[index] == max(lengths)),
            float(lengths[index] == min(lengths)),
            float(index == 1),
            float(index == 2),
            float(index == 3),
        ]
        row += [min(len(pattern.findall(lower)), 3) / 2 for pattern in CUES.values()]
        rows.append(row)
    return rows


def _scores(weights: list[float], rows: list[list[float]]) -> list[float]:
    return [sum(w * x for w, x in zip(weights, row, strict=True)) for row in rows]


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    exps = [math.exp(s - top) for s in scores]
    total = sum(exps)
    return [e / total for e in exps]


def fit(examples: list[tuple[list[list[float]], list[bool]]]) -> list[float]:
    """Weights of a conditional logit over the options of each dilemma: the
    options carrying the label share the target, the others get none.
    Dilemmas without the label teach nothing and are left out."""
    examples = [(rows, marks) for rows, marks in examples if any(marks)]
    weights = [0.0] * len(FEATURES)
    if not examples:
        return weights
    for _ in range(STEPS):
        gradient = [-PENALTY * w for w in weights]
        for rows, marks in examples:
            chance = _softmax(_scores(weights, rows))
            share = 1 / sum(marks)
            for row, p, marked in zip(rows, chance, marks, strict=True):
                pull = (share if marked else 0.0) - p
                for j, x in enumerate(row):
                    gradient[j] += pull * x
        weights = [w + STEP_SIZE * g / len(examples) for w, g in zip(weights, gradient, strict=True)]
    return weights


def pick(weights: list[float], rows: list[list[float]]) -> int:
    """The index of the option the guesser takes (the first on a tie)."""
    scores = _scores(weights, rows)
    return scores.index(max(scores))


def _four(dilemma: dict) -> list[dict] | None:
    options = [o for o in dilemma.get("options") or [] if isinstance(o, dict)]
    return options if len(options) == 4 else None


def evaluate(dilemmas: list[dict], label: str, folds: int = FOLDS) -> GuessRate:
    """The cross-validated hit rate of the guesser on ``label`` (aligned or
    conflicts) and the chance rate of a random pick on the same dilemmas."""
    data = []
    for dilemma in dilemmas:
        options = _four(dilemma)
        if options is None:
            continue
        rows = option_features([str(o.get("text", "")) for o in options])
        data.append((rows, [o.get("alignment") == label for o in options]))
    result = GuessRate(label, total=len(data))
    if not data:
        return result
    result.chance = sum(sum(marks) / 4 for _, marks in data) / len(data)
    folds = max(2, min(folds, len(data)))
    for fold in range(folds):
        train = [item for index, item in enumerate(data) if index % folds != fold]
        weights = fit(train)
        for index, (rows, marks) in enumerate(data):
            if index % folds == fold:
                result.hits += marks[pick(weights, rows)]
    return result


def guess(dilemmas: list[dict]) -> tuple[GuessRate, GuessRate]:
    """The guesser's rates on the aligned and on the conflicts option."""
    return evaluate(dilemmas, "aligned"), evaluate(dilemmas, "conflicts")
