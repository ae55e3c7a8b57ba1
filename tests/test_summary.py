"""The sample summary (codegen.infer.summary): a mergeable value that stands for every sample.

Properties, on random sample sets of the fuzz templates: merging the summaries of the parts of
any split gives exactly the summary of the whole (associative, commutative, idempotent: a sample
seen by two parts counts once), and inference from a summary gives the schema inference gives
from the samples themselves.
"""

from __future__ import annotations

import json
import random
from decimal import Decimal, InvalidOperation
from typing import Any
from unittest.mock import patch

from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st
from test_fuzz import ROOTS, values

from codegen.errors import Location
from codegen.fold import fold_samples
from codegen.infer import infer
from codegen.infer import thresholds
from codegen.infer.digests import DigestSet
from codegen.infer.kinds import looks_like_name
from codegen.infer import summary as summary_module
from codegen.infer.summary import Summary
from codegen.ingest import FlatSample
from codegen.schema import build_schema


def summarize(
    samples: list[tuple[Any, Location, str | None]],
    *,
    by_folder: bool,
    exact_keys: frozenset[str] = frozenset(),
    exact: bool = False,
) -> Summary:
    """(value, location, folder) samples folded as codegen.fold folds a set's."""
    return fold_samples(
        Summary(by_folder, exact_keys, exact),
        [flat(value, where, folder) for value, where, folder in samples],
    )


def flat(value: Any, where: Location, folder: str | None) -> FlatSample:
    """A sample as codegen.ingest streams it."""
    return value, folder, where.file, where.line, where.column


PROPERTY = settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


def perturbed(value: Any, draw: st.DrawFn) -> Any:
    """`value` with other numbers and texts where it holds values that name nothing: another
    sample of the same skeleton, as a feed's next tick is."""
    if isinstance(value, dict):
        return {key: perturbed(item, draw) for key, item in value.items()}
    if isinstance(value, list):
        return [perturbed(item, draw) for item in value]
    if isinstance(value, float):
        return draw(st.floats(allow_nan=False, allow_infinity=False))
    if type(value) is int and abs(value) > 9999:
        return draw(st.integers(10_000, 2**70))
    if isinstance(value, str) and " " in value:
        return (
            draw(st.text(max_size=8)) + " " + draw(st.sampled_from(["1.5", "x", "0"]))
        )
    return value


@st.composite
def located_samples(draw: st.DrawFn) -> list[tuple[Any, Location, str | None]]:
    """Samples of one template (with exact duplicates, and samples that differ only in values
    that name nothing), each at its own line, some in folders."""
    template = draw(ROOTS)
    found = draw(st.lists(values(template), min_size=1, max_size=12))
    # Indices, not the values: hypothesis would describe every value it may pick.
    picks = st.integers(0, len(found) - 1)
    found += [found[i] for i in draw(st.lists(picks, max_size=4))]  # repeats
    found += [
        perturbed(found[draw(picks)], draw) for _ in range(draw(st.integers(0, 8)))
    ]
    folders = draw(
        st.lists(
            st.sampled_from([None, "a", "b"]), min_size=len(found), max_size=len(found)
        )
    )
    return [
        (value, Location("set/s.jsonl", line), folder)
        for line, (value, folder) in enumerate(zip(found, folders), start=1)
    ]


def _summary(
    samples: list[tuple[Any, Location, str | None]], by_folder: bool
) -> Summary:
    return summarize(samples, by_folder=by_folder)


@PROPERTY
@given(located_samples(), st.data(), st.booleans())
def test_merging_the_parts_of_any_split_gives_the_summary_of_the_whole(
    samples: list[tuple[Any, Location, str | None]],
    data: st.DataObject,
    by_folder: bool,
) -> None:
    parts = data.draw(
        st.lists(st.integers(0, 2), min_size=len(samples), max_size=len(samples))
    )
    # Each part may also see samples of another part (overlapping reads of one capture).
    picks = st.lists(st.integers(0, len(samples) - 1), max_size=3)
    overlap = [samples[i] for i in data.draw(picks)]
    split = [
        [s for s, part in zip(samples, parts) if part == index] for index in range(3)
    ]
    split[0] += overlap
    whole = _summary(samples, by_folder)
    a, b, c = (_summary(part, by_folder) for part in split)
    assert a.merge(b).merge(c) == whole
    assert c.merge(a.merge(b)) == whole  # commutative and associative
    assert a.merge(b) == b.merge(a)
    assert whole.merge(whole) == whole  # idempotent: a sample seen twice counts once
    assert len(whole) == len(
        {(f if by_folder else None, json.dumps(v)) for v, _, f in samples}
    )


@PROPERTY
@given(located_samples())
def test_inference_from_a_summary_equals_inference_from_the_samples(
    samples: list[tuple[Any, Location, str | None]],
) -> None:
    distinct: dict[str, tuple[Any, Location]] = {}
    for value, location, _ in samples:
        distinct.setdefault(json.dumps(value), (value, location))
    from_samples = infer(list(distinct.values()), "Root")
    from_summary = infer(_summary(samples, by_folder=False).members(), "Root")
    assert from_samples is not None and from_summary is not None
    assert json.dumps(build_schema(from_summary), sort_keys=True) == json.dumps(
        build_schema(from_samples), sort_keys=True
    )


# Strings the walk reads in several ways: names, codes, numbers, dates, placeholders, text.
EDGE_STRINGS = st.sampled_from(
    [
        "buy",
        "BTC-USD",
        "12",
        "007",
        "1.5",
        "-1",
        "1e5",
        "42223.74",
        "1700000000000",
        "",
        "2024-05-12T13:26:28Z",
        "<string>",
        "<",
        "<a b",
        "x y",
        "\ud800",
    ]
)


@PROPERTY
@given(
    located_samples(),
    st.lists(st.dictionaries(st.sampled_from(["tag", "p"]), EDGE_STRINGS), max_size=6),
    st.booleans(),
    st.booleans(),
)
def test_strings_read_fresh_remembered_or_forgotten_give_one_summary(
    samples: list[tuple[Any, Location, str | None]],
    edges: list[dict[str, str]],
    tagged: bool,
    exact: bool,
) -> None:
    """The walk remembers what it makes of a string (summary._TOKENS): the summary is the same
    whether each string is read fresh, remembered from an earlier sample, or forgotten at once,
    under any key and setting."""
    samples = samples + [(edge, Location("set/t.jsonl", 1), None) for edge in edges]
    exact_keys = frozenset({"tag"} if tagged else ())

    def folded() -> Summary:
        return summarize(samples, by_folder=False, exact_keys=exact_keys, exact=exact)

    summary_module._TOKENS.clear()
    fresh = folded()
    remembered = folded()
    with patch.object(summary_module, "_TOKENS_KEPT", 0):
        forgotten = folded()
    assert fresh == remembered == forgotten


def test_values_that_name_nothing_are_folded_into_one_skeleton() -> None:
    """Ticks that differ only in prices, ids and times are one entry weighted by their count;
    their kinds and formats are kept whole."""
    ticks = [
        (
            {
                "type": "tick",
                "id": f"9f1c2a7e-3b4d-4e5f-8a9b-{index:012d}",
                "price": f"{100 + index}.5",
                "ts": 1_700_000_000_000 + index,
            },
            Location("s.jsonl", index + 1),
            None,
        )
        for index in range(1000)
    ]
    summary = summarize(ticks, by_folder=False)
    (member,) = summary.members()
    assert member.weight == 1000 and len(summary) == 1000
    assert member.value["type"] == "tick"
    price = member.value["price"]
    assert price.example == "100.5"
    assert (price.looks.low, price.looks.high) == (100.5, 1099.5)
    assert price.looks.fractions == 1000
    assert "epoch-milliseconds" in member.value["ts"].fits


def test_names_stay_whole_and_tell_skeletons_apart() -> None:
    samples = [
        ({"type": kind, "n": 3}, Location("s.jsonl", line), None)
        for line, kind in enumerate(["trade", "book", "trade"], start=1)
    ]
    summary = summarize(samples, by_folder=False)
    assert [m.value["type"] for m in summary.members()] == ["trade", "book"]
    assert [m.weight for m in summary.members()] == [
        1,
        1,
    ]  # the second trade is a duplicate


def test_one_true_and_one_point_zero_are_different_skeletons() -> None:
    samples = [
        ({"v": value}, Location("s.jsonl", line), None)
        for line, value in enumerate([1, 1.0, True, "1"], start=1)
    ]
    assert len(summarize(samples, by_folder=False).members()) == 4


@given(st.from_regex(r"[-0-9].{3,}", fullmatch=True))
def test_a_string_starting_like_a_number_past_a_code_is_no_name(text: str) -> None:
    """The summary skips looks_like_name for these (thresholds.TAG_CODE_DIGITS)."""
    assert len(text) > thresholds.TAG_CODE_DIGITS
    assert not looks_like_name(text)


@PROPERTY
@given(
    st.one_of(
        st.text("-+.eE0123456789", max_size=12),
        st.from_regex(thresholds.DECIMAL, fullmatch=True),
        st.sampled_from(
            ["-Infinity", "-Infinity1", "-NaN", "-", "<string>", "1e0"]
            + ["0E1000000000000000000", "-1.5e+1000000000000000000"]
        ),
    )
)
def test_a_string_holds_a_number_exactly_when_decimal_matches_it(text: str) -> None:
    """The walk reads numbers in strings with the C JSON scanner: the same strings as
    thresholds.DECIMAL, read to the same Decimal, with a fraction or exponent when DECIMAL sees
    one; a string Decimal cannot read (an exponent past its limits, `1E1000000000000000000`)
    is text."""
    assume(not looks_like_name(text))
    match = thresholds.DECIMAL.fullmatch(text)
    numbers: list[Any] = []
    fractions = summary_module._walk(
        [("p", text)], [], [], numbers, [], False, frozenset()
    )
    (number,) = numbers
    if match is None or _unreadable(text):
        assert number is None and fractions == 0
    else:
        assert str(number) == str(Decimal(text))
        assert fractions == (match.lastindex != 1)


def _unreadable(text: str) -> bool:
    try:
        Decimal(text)
    except InvalidOperation:
        return True
    return False


def test_flat_skeletons_read_back_as_the_values_they_stand_for() -> None:
    """Brackets as names and keys, empty and nested containers: each kept-whole value is its
    own skeleton and reads back as itself (the tokens of a skeleton read one way only).
    """
    values: list[Any] = [
        {"{": "[", "[": ["{", "="]},
        {"a": [[], {}], "b": [{"c": None}]},
        {"a": [[]], "b": [{}]},
        {"a": [[], [{}]]},
        [{"a": 1}, [True, False, None], "="],
        [[{"a": 1}], [True], [False, None, "="]],
        ["{", 2],
        {"=": None},
    ]
    samples = [
        (value, Location("s.jsonl", line), None)
        for line, value in enumerate(values, start=1)
    ]
    exact = fold_samples(
        Summary(False, exact=True),
        [flat(value, where, folder) for value, where, folder in samples],
    )
    assert [member.value for member in exact.members()] == values


def test_config_tags_keep_their_values_whole() -> None:
    samples = [({"kind": "BTC-USD"}, Location("s.jsonl", 1), None)]
    plain = summarize(samples, by_folder=False).members()[0].value["kind"]
    kept = summarize(samples, by_folder=False, exact_keys=frozenset({"kind"}))
    assert not isinstance(plain, str)
    assert kept.members()[0].value["kind"] == "BTC-USD"


def _feed(count: int) -> list[tuple[Any, Location, str | None]]:
    """A feed whose evidence lies in counts: kinds by a tag, an enum that needs ten sightings,
    epoch and decimal formats, a field present in a third of one kind's messages."""
    rng = random.Random(7)
    messages: list[Any] = []
    for index in range(count):
        if index % 3 == 0:
            message: dict[str, Any] = {
                "type": "trade",
                "side": rng.choice(["buy", "sell"]),
                "price": f"{rng.uniform(1, 100):.2f}",
                "ts": 1_700_000_000_000 + rng.randrange(10**9),
            }
            if index % 9 == 0:
                message["maker"] = rng.random() < 0.5
        else:
            message = {
                "type": "book",
                "bids": [
                    [rng.uniform(1, 100), rng.randrange(1, 10**6)] for _ in range(2)
                ],
                "seq": rng.randrange(10**6, 10**7),
            }
        messages.append(message)
    return [
        (m, Location("feed.jsonl", line), None) for line, m in enumerate(messages, 1)
    ]


def test_a_feed_infers_the_same_from_its_summary_as_from_its_messages() -> None:
    samples = _feed(60)
    summary = summarize(samples, by_folder=False)
    assert len(summary.members()) < 15  # prices, times and sizes fold away
    from_samples = infer([(v, where) for v, where, _ in samples], "Feed")
    from_summary = infer(summary.members(), "Feed")
    assert from_samples is not None and from_summary is not None
    schema = json.dumps(build_schema(from_summary), sort_keys=True, indent=1)
    assert schema == json.dumps(build_schema(from_samples), sort_keys=True, indent=1)
    # The evidence that needs counts is there: the enum, the formats, the kinds.
    assert (
        "seen 20 times" in schema and "all 20 values are epoch milliseconds" in schema
    )


def test_equal_numbers_written_differently_give_one_range_whatever_their_order() -> (
    None
):
    """`0.00` and `0.0`, `1.50`, `15e-1` and `1.5`: the range names the shortest, so a set read
    in any order, or in parts, says the same."""
    texts = ["1.50", "0.0", "1.5", "15e-1", "0.00"]
    ranges = set()
    for order in (texts, texts[::-1], texts[2:] + texts[:2]):
        samples = [
            ({"p": text}, Location("s.jsonl", line), None)
            for line, text in enumerate(order, start=1)
        ]
        halves = summarize(samples[:2], by_folder=False).merge(
            summarize(samples[2:], by_folder=False)
        )
        for summary in (summarize(samples, by_folder=False), halves):
            looks = summary.members()[0].value["p"].looks
            ranges.add((str(looks.low), str(looks.high)))
    assert ranges == {("0.0", "1.5")}


@given(
    st.lists(
        st.one_of(st.integers(0, 2**64 - 1), st.integers(0, 40).map(lambda i: i * 16)),
        max_size=200,
    )
)
def test_a_digest_set_answers_as_a_set_does(digests: list[int]) -> None:
    """DigestSet.add probes its table itself (not through _slot): it answers as a set of ints
    does, through collisions of the low bits and growth (a digest of 0 is stored as 1).
    """
    found, expected = DigestSet(), set()
    for digest in digests:
        stored = digest or 1
        assert found.add(digest) == (stored not in expected)
        expected.add(stored)
    assert len(found) == len(expected) and set(found) == expected
    assert all(digest in found for digest in expected)
