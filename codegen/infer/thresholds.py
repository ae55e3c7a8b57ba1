"""Every tunable rule of inference, in one place, each with the reason it has its value."""

from __future__ import annotations

import re

# A docs placeholder string: "<string>", "<integer>", "<uuid>", "<date-time>". A sample holding one
# is a docs example, not a capture: its numbers (often `123`) only say "a number".
PLACEHOLDER_STRING = re.compile(r"<[A-Za-z][A-Za-z0-9 _.-]{0,40}>")

# A tag made of a noun followed by one of these words names an event on that noun
# (`position.created`, `account_added`): its payload is named after the noun.
EVENT_WORDS = frozenset(
    {
        "added",
        "cancelled",
        "canceled",
        "changed",
        "closed",
        "created",
        "deleted",
        "filled",
        "opened",
        "rejected",
        "removed",
        "updated",
    }
)

# Trailing words dropped from a variant tag to get its family's noun (`account_event` -> account).
FAMILY_SUFFIX_WORDS = frozenset(
    {"event", "events", "message", "messages", "notification", "response"}
)

# Keys that hold a record without saying what it is: the record is named after the class holding
# it first (`data` in a Trade -> TradeData), as a reader would call it. Containers words only,
# not domain words; a key too short to be a word (`k`, `d`) is treated the same way.
VAGUE_KEYS = frozenset(
    {
        ("args",),
        ("arguments",),
        ("attributes",),
        ("body",),
        ("content",),
        ("contents",),
        ("data",),
        ("detail",),
        ("details",),
        ("info",),
        ("item",),
        ("meta",),
        ("object",),
        ("params",),
        ("payload",),
        ("result",),
        ("value",),
    }
)

# A position where every object has exactly one key is an externally tagged union when it shows at
# least this many different tags. With one tag only, it takes more evidence (see
# passes/tagged_unions.py): a wrapper that never varies is a record, so that one new sibling key
# does not make every message an unknown variant.
MIN_TAGS_FOR_UNION = 2

# An object is a map (`dict[str, V]`) when its keys are data, not field names: at least this many
# distinct keys, every one of them data-like (below), and values of one compatible type. Keys that
# are identifiers (`price`, `BTCUSD`) or words with hyphens (`first-name`) never make a map.
MAP_MIN_KEYS = 3
# Keys that look like words are data too when they behave like it: over at least this many
# objects, with at least this many keys in all, each object holding on average at most this share
# of them (a record's keys recur in most of its objects; a map's keys are the few things each
# object names)...
MAP_MIN_OBJECTS = 3
MAP_MIN_KEYS_SPARSE = 8
MAP_MAX_KEY_RECURRENCE = 0.25
# ...or when there are so many keys of one value type that no one would write them as fields.
MAP_MIN_KEYS_ANY = 200
DATA_KEY = re.compile(
    r"-?[0-9]+(\.[0-9]+)?"  # ids and prices: "42", "89788.5"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F-]{4,}"  # UUIDs
    r"|(?=.*[0-9]).*[^A-Za-z0-9_].*"  # a digit and punctuation: "2024-01-01", "user:42", "v1.2"
    r"|[A-Z0-9]+(?:[-/:.][A-Z0-9]+)+"  # symbols and pairs: "BTC-USD", "EUR/USD"
)

# --- Message kinds (codegen.infer.kinds) ---------------------------------------------------------

# A tag's values are names of kinds: a word (letters first; digits, `_ . : / @ -` inside, like
# `l2update`, `subscribed/order_book`, `SUB_IMAGE`) or a short code (`"1"`, `"42"`), at most 64
# characters. Free text (spaces), placeholders (`"<string>"`), prices and dates fail here.
# A code is at most TAG_CODE_DIGITS digits: so a longer string starting with a digit or `-`
# (every price, id and time in a string) is no name, known without a pattern.
TAG_CODE_DIGITS = 3
TAG_VALUE = re.compile(
    rf"[A-Za-z][A-Za-z0-9_.:/@-]{{0,63}}|[0-9]{{1,{TAG_CODE_DIGITS}}}"
)
# ...and never data: a digit next to punctuation (`order_book:0`, `1.0.0`, `2024-01-01`), a run of
# five digits (ids, timestamps), a UUID or hex id, a symbol or pair (`BTC-USD`, `EURUSD-PERP`),
# or a machine-made id: letters and digits alternating three times in one run (`T024BE7LD`,
# `evt_1Mq2Xb3Kd`, a random base-62 token), where a name has a digit in one place at most
# (`l2update`, `v4_trades`, `candle1m`, `webData2`).
NOT_TAG_VALUE = re.compile(
    r"[0-9][^A-Za-z0-9_]|[^A-Za-z0-9_][0-9]|[0-9]{5}|[0-9a-fA-F]{12}"
    r"|^[A-Z0-9]+(?:[-/:.][A-Z0-9]+)+$"
    r"|[A-Za-z][0-9]+[A-Za-z]+[0-9]|[0-9][A-Za-z]+[0-9]+[A-Za-z]"
)
# A channel name with parameters (`orderbook.50.BTCUSDT`, `ticker.BTC-PERPETUAL.100ms`, `book-10`)
# names its kind by its *head*: the segments up to the first parameter. Segments are split by
# `. : / @ -`; the first is always the head's; a later one is a parameter when it is empty, starts
# with a digit or has no lowercase letter (a symbol, `BTCUSDT`), else a word of the name
# (`user-order`, `kline_1m`, `depth5`). A value without parameters is its own head
# (`customer.subscription.created`). Decoders find a head with this same pattern, so inference and
# the generated code agree on every value.
TAG_HEAD = r"[^.:/@-]*(?:[.:/@-](?![0-9])[^.:/@-]*[a-z][^.:/@-]*)*"
TAG_HEAD_MATCH = re.compile(TAG_HEAD)
# A head names a kind only when it has a lowercase letter, and the value holds no hex id: a symbol
# (`BTC-USD` -> `BTC`) and a UUID (`deadbeef-...`) have heads too, one per market or per message,
# and the sample summary keeps a head whole (entries apart by it), so those would split it for
# nothing.
TAG_HEAD_NAME = re.compile(r"[a-z]")
TAG_HEAD_NOT_IN = re.compile(r"[0-9a-fA-F]{12}")
# ...and a value's head is that name followed by nothing or by a separator and a parameter: the
# schema's pattern for the values whose head is one name (`{names}`: the escaped names).
TAG_HEAD_SCHEMA = (
    r"^(?:{names})(?:$|[.:/@-](?!(?![0-9])[^.:/@-]*[a-z][^.:/@-]*(?:[.:/@-]|$)))"
)
# ...where a masked segment (below) is any first segment, or any word after it.
TAG_HEAD_SCHEMA_FIRST = r"[^.:/@-]*"
TAG_HEAD_SCHEMA_WORD = r"(?![0-9])[^.:/@-]*[a-z][^.:/@-]*"
# A word of a head can be a parameter too: the market in `btcusdt@trade` or
# `market.btcusdt.kline.1min`. A segment of the head is one (masked: written `*` in the kind's
# name, `*@trade`, `market.*.kline`) when its values vary, grouping the objects by it alone
# explains no key (TAG_MIN_EXPLAINED_SHARE), and a later segment does: the kind's word comes after
# it. A word after the one that tells the kind is kept (`customer.subscription.created`: event
# names end in their action). A head all masked names nothing.
TAG_SEGMENT = re.compile(r"([.:/@-])")
TAG_MASK = "*"
# Int tags are small codes (`"op": 1`); bigger numbers are ids, counts and timestamps.
TAG_MAX_INT = 9999
# ...and codes recur: an int tag's values are seen at least this many times each on average.
# Request ids and counters (`"rid": 0, 1, 2, 3`) barely repeat; a docs page showing each kind
# once has no evidence that a number names kinds (a word might, see TAG_SMALL_SET).
TAG_INT_MIN_OBJECTS_PER_VALUE = 2
# More kinds than this at one position is not a union a person would write handlers for.
TAG_MAX_VALUES = 64
# Up to this many objects, every kind may have been shown once (docs examples, a fixture per
# kind), so values that never repeat are no evidence against a tag. Past it, a tag's values recur:
TAG_SMALL_SET = 12
# ...at most this share of the objects may hold a value seen only once (ids and timestamps are
# near 1.0; real tags in captures are near 0). In a small set, values that mostly do not recur
# still make a tag when they are words of at least this many letters (`subscribed`, `v4_trades`;
# not `x` or `a1`) and each value's objects have a structure no other value's have.
TAG_MAX_UNIQUE_SHARE = 0.5
TAG_WORD_MIN_LETTERS = 2
# ...and there are at least this many objects: two objects with two names (`ann`, `bob`) and one
# optional key each are two samples of one record, not two kinds.
TAG_MIN_OBJECTS = 3
# A tag must explain the structure: of the keys (and keys one level down) that some objects have
# and others lack, at least this share must be in all or none of the objects of each tag value.
# Lower and any field correlating with one optional key becomes a tag; higher and kinds with
# optional fields of their own are missed.
TAG_MIN_EXPLAINED_SHARE = 0.3
# ...and explain at least this many keys, unless it makes this many groups: two values that line
# up with one optional key (`grade: a` always with `bonus`) are a coincidence of a few samples.
TAG_MIN_EXPLAINED_KEYS = 2
TAG_MIN_GROUPS_FOR_ONE_KEY = 3
# Names only break ties between tags that explain the structure equally well.
TAG_NAME_HINTS = frozenset(
    {
        "action",
        "channel",
        "cmd",
        "command",
        "e",
        "event",
        "event_type",
        "eventtype",
        "kind",
        "method",
        "msg_type",
        "op",
        "stream",
        "t",
        "table",
        "topic",
        "type",
    }
)
# Kinds told apart by keys alone: when the telling keys hold scalars, each kind must also have at
# least this many keys no other kind has; else `{a, phone}` vs `{a, email}` would be two kinds.
KEYED_MIN_OWN_KEYS = 2
# A tag may be missing from a minority of the objects (a bare snapshot beside tagged updates, a
# response beside tagged events): those objects are one more kind, "without the tag". Below this
# share the key is an optional field, not what names the kinds, unless the objects without it
# have a key of their own (control messages tagged `event` among data pushes holding `data`:
# kinds._minority_tag) and it was seen TAG_MIN_OBJECTS times.
TAG_MIN_PRESENT_SHARE = 0.5
# ...and kinds told apart by keys are mostly different: two kinds may share at most this share of
# the keys every object of the smaller one has (`{rid, res}` and `{rid, err}` share half). A record
# seen once with `address` and once with `tags` shares more, and stays one record.
KEYED_MAX_SHARED_SHARE = 0.5
# ...unless each kind is told by a key holding its payload (an object or array) and the kinds were
# seen at least this many times in all: an envelope's keys are shared by design (`{jsonrpc, id,
# result}` vs `{jsonrpc, id, error}` share two of three; a capture may hold one error among many
# results), and payloads that never meet are kinds; two objects, one with each, may be chance.
KEYED_PAYLOAD_MIN_OBJECTS = 3

# --- Open enums (codegen.infer.passes.enums) ------------------------------------------------------

# A string position is an open enum when its strings name a few things seen many times: `side`,
# `status`, `order_type`, `interval`. At most this many distinct values (more is a vocabulary or
# data; JSONoid stops at 50, a class with more members is no longer read as a set of cases)...
ENUM_MAX_VALUES = 24
# ...seen at least this many times in all (quicktype's floor: fewer samples say nothing about
# how the values repeat)...
ENUM_MIN_OBSERVATIONS = 10
# ...and few values for the observations: distinct values at most the square root of the
# observations (quicktype's rule: 2 values need 4 sightings, 5 need 25; a value per message never
# passes). Every value must also look like a name (kinds.looks_like_name, the test tag values
# pass): IDs, timestamps, prices in strings, symbols (`BTC-USD`), free text and docs placeholders
# never make an enum.

# --- Tuples (codegen.infer.passes.tuples) -------------------------------------------------------

# Arrays at a position are a tuple (`tuple[str, str]` for `[price, size]`, `[id, payload, channel,
# pair]`) when every one has the same length, between these (a pair up to a short record: longer
# fixed-length arrays are rows of data)...
TUPLE_MIN_LENGTH = 2
TUPLE_MAX_LENGTH = 8
# ...seen in at least this many arrays, when the positions hold different kinds of values (a
# number then a string): one array of two items is a list that happened to have two...
TUPLE_MIN_ARRAYS = 3
# ...or this many, when every position holds the same kind (`["14.80", "12.77"]`): only a length
# that never varies over many arrays says the positions mean different things.
TUPLE_MIN_ARRAYS_SAME_KIND = 8

# One object seen with a few keys more or less (passes/similar.py), when held under keys naming the
# same thing: at least this many keys shared (two records with `id` and `name` have nothing else
# in common)...
SIMILAR_MIN_SHARED_KEYS = 3
# ... and the keys only one of them has at most this share of all their keys: an `Issue` with and
# without `pull_request` (1 of 30) merges, and so does a 4-key level seen once with a fifth key;
# two records that differ in half their keys are two things, whatever their keys are called.
SIMILAR_MAX_DIFFERENT_SHARE = 0.25

# --- Open int enums (codegen.infer.passes.enums) --------------------------------------------------

# Ints name things less often than strings do, and small counts, sizes and levels repeat by chance:
# an int position is an open enum (`class OrderType(IntEnum)`) on stronger evidence than strings.
# Its values number a code table's cases as people do, one after another from 0 or from 1
# (`1, 2, 3`): values with gaps are measured (runners 0, 2, 7, 12; delays 0, 1, 3, 5 s; sizes
# 100..500), and codes with gaps (HTTP statuses, error codes) take `enum = true`. At most this
# many distinct values (a code table a person lists; levels and sizes go on and on)...
INT_ENUM_MAX_VALUES = 12
# ...seen at least this many times in all (twice the strings' floor: a handful of small ints
# repeats whatever they mean)...
INT_ENUM_MIN_OBSERVATIONS = 20
# ...distinct values at most the square root of the observations (as for strings), and every value
# seen at least this many times: counters, sizes and quantities have a tail of values seen once
# (1, 2, 3 often, then 4 once), codes recur. Values only 0 and 1 are a flag or a count, never an
# enum: members named N_0 and N_1 say nothing a bool or an int does not.
INT_ENUM_MIN_PER_VALUE = 2

# --- Formats (codegen.infer.passes.formats) -------------------------------------------------------

# A format is recorded (schema `format` / `x-codegen-format`, a docstring, a typed helper), never
# applied to the wire: the stored value stays the wire text. Every non-null value at a position
# must fit it (one that does not, and the position has no format), the position must hold one
# kind of scalar (strings, or numbers) besides null, no value may come from a docs example
# (`"<string>"`, `123`), and there must be at least this many values: one or two may fit by
# chance (a 10-digit int, a "1.5" string), three strict matches rarely do.
FORMAT_MIN_OBSERVATIONS = 3
# The strict shapes of the string formats (each also has to parse: no 2024-02-30, no hour 24).
# RFC 3339 date-time (JSON Schema `date-time`): `T`, seconds, a zone (`Z` or +hh:mm).
RFC3339_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[Tt][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})"
)
# ISO 8601 date-time that RFC 3339 leaves out: a space for the `T`, or no zone (a local time).
ISO_DATE_TIME = re.compile(
    r"[0-9]{4}-[0-9]{2}-[0-9]{2}[T ][0-9]{2}:[0-9]{2}:[0-9]{2}(\.[0-9]+)?([Zz]|[+-][0-9]{2}:[0-9]{2})?"
)
DATE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
UUID = re.compile(
    r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}"
)
# A number in a string (`"14.8024"`, `"-0.5"`, `"1e-8"`), written as JSON writes numbers: no
# leading zeros (`"007"` is a code), no `+`, no bare `.5`. Digits alone are an id as often as
# a number (`"12345"` order ids), so a position is a decimal only when at least one of its values
# has a fraction or an exponent, and it holds at least two different values (one repeated
# `"1.0"` is a constant, a version as likely as a number). It is JSON's grammar for numbers: the
# summary's walk reads numbers in strings with the C JSON scanner instead, which takes the same
# strings (tests/test_summary.py checks that they agree).
DECIMAL = re.compile(r"-?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?")
# Epoch timestamps: numbers (ints, floats, numbers in strings) in one unit's window of plausible
# times, 2000-01-01 to 2050-01-01 UTC: room for history and for expiries years ahead, while
# 32-bit ids and version numbers, spread up to 4,294,967,295 (2106 as seconds), mostly fall
# past it. The windows of seconds, ms, µs and ns do not overlap (each spans a factor of 2.7,
# units differ by 1000), so the unit follows from the values; small ints, counters and prices
# lie below every window. Nanoseconds only as JSON ints: 19-digit ids in strings (snowflake ids:
# Discord, Twitter `id_str`) lie in the nanosecond window too. An id whose every value lies in a
# window is told apart only by `format = "none"`.
EPOCH_EARLIEST = 946684800  # 2000-01-01T00:00:00Z, in seconds
EPOCH_LATEST = 2524608000  # 2050-01-01T00:00:00Z, in seconds

# --- Recursive types (codegen.infer.recursion) ---------------------------------------------------

# An object below a position is one of that position's own objects (a tree's child, a reply to a
# comment, an AST node's operand) when its keys are mostly theirs: quicktype's rule for classes
# that are one, the keys both have are at least this share of the keys either has. A key that
# leads down to it and that it lacks does not count against it: a tree's leaves have no
# `children`...
RECURSION_MIN_KEY_OVERLAP = 0.75
# ...and the keys both have hold values of the same JSON kinds (null fits any). One such object
# is evidence alone when it shares at least this many keys with its ancestor, the key that leads
# down included (`{"id", "children": [{"id", "children": []}]}`, a `parent` holding `{id, name,
# parent}`). A leaf, lacking the key that leads down, is evidence only with depth (below): a
# parent and a child sharing `id` and `name`, or stats with breakdowns of the same fields, are
# two levels of records until the shape shows it recurs.
RECURSION_MIN_SHARED_KEYS = 2
# Other matches are evidence only when they nest in each other this many levels deep at least
# (`{"a": {"a": {"a": 1}}}`): the shape repeating twice below itself is no coincidence, a wrapper
# seen once inside a wrapper of the same key (`{"data": {"data": [...]}}`) may be.
RECURSION_MIN_LEVELS = 3
# Nesting alone is evidence when at least this share of the objects at the position below match.
# (An object sharing enough keys is evidence alone: the others there, an AST operand of a kind
# not seen at the top yet, join the type too.)
RECURSION_MIN_MATCH_SHARE = 0.5
# Types nest at most this deep once recursion is folded (each object, array, tuple or map one
# level): generated annotations like `list[list[...]]` stay far within Python's parser limit of
# 200 nested brackets, and decoding a sample stays far within Python's default recursion limit.
MAX_TYPE_DEPTH = 64
