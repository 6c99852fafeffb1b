"""The strict JSON decoder (api/bodies.py) under fuzzing: it returns what
the standard library reads for every strict JSON text, and for any other
bytes it says NotJson, never anything else."""

import contextlib
import json
import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from api.platform.bodies import MAX_DEPTH, NotJson, decode

valid_text = st.text(st.characters(exclude_categories=("Cs",)), max_size=20)
scalars = st.none() | st.booleans() | st.integers(-(2**63), 2**63) | valid_text
scalars |= st.floats(allow_nan=False, allow_infinity=False)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(valid_text, inner, max_size=4),
    max_leaves=30,
)


def depth(value) -> int:
    if isinstance(value, dict):
        return 1 + max(map(depth, value.values()), default=0)
    if isinstance(value, list):
        return 1 + max(map(depth, value), default=0)
    return 0


@given(values)
@settings(max_examples=300, deadline=None)
def test_strict_json_reads_as_the_standard_library_reads_it(value):
    if depth(value) > MAX_DEPTH:
        return
    text = json.dumps(value)
    assert decode(text.encode()) == json.loads(text)


@given(st.binary(max_size=300))
@settings(max_examples=500, deadline=None)
def test_any_bytes_are_a_value_or_not_json(raw):
    with contextlib.suppress(NotJson):
        decode(raw)


json_ish = st.lists(
    st.sampled_from(
        [
            "{",
            "}",
            "[",
            "]",
            '"',
            "\\",
            ":",
            ",",
            "1",
            "-",
            "e",
            ".",
            "NaN",
            "Infinity",
            "true",
            "null",
            '"\\ud800"',
            '"a"',
            " ",
            "9" * 70,
            "1e999",
            '"\\u0000"',
        ]
    ),
    max_size=60,
).map("".join)


@given(json_ish)
@settings(max_examples=500, deadline=None)
def test_json_like_text_is_a_value_or_not_json(text):
    try:
        value = decode(text.encode())
    except NotJson:
        return
    assert depth(value) <= MAX_DEPTH


@pytest.mark.parametrize(
    "raw",
    [
        b"[" * 1000 + b"]" * 1000,  # RecursionError before
        b'{"a": ' * 40 + b"1" + b"}" * 40,
        b"9" * 5000,  # ValueError (int max str digits) before
        b"-" + b"9" * 65,
        b"1e999",
        b"-1e999",
        b"NaN",
        b"Infinity",
        b"-Infinity",
        b'{"a": 1, "a": 2}',
        b'{"a": {"b": 1, "b": 1}}',
        b'"\\ud800"',
        b'"\\udfff"',
        b'{"\\ud800": 1}',
        b'"\xff"',
        b"\xef\xbb\xbf{}",  # a byte order mark
        b"",
        b"{'a': 1}",
        b"[1,]",
    ],
)
def test_what_used_to_crash_or_pass_is_not_json(raw):
    with pytest.raises(NotJson) as refused:
        decode(raw)
    assert str(refused.value)  # a reason, in Dutch


def test_what_strict_json_allows_still_passes():
    assert decode(b'{"a": [1, 2.5, -0, "\\ud83d\\ude00", null, true]}') == {"a": [1, 2.5, 0, "😀", None, True]}
    assert decode(b"[" * MAX_DEPTH + b"]" * MAX_DEPTH) is not None
    assert decode(b"9" * 64) == int("9" * 64)
    assert math.isfinite(decode(b"1.7976931348623157e308"))
