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
    {"event", "events", "message", "messages", "notification"}
)

# A position where every object has exactly one key is an externally tagged union when it shows at
# least this many different tags; with fewer, only when the one tag holds an object (a `{"data": 1}`
# wrapper is a record, `{"server_message": {...}}` is a union level seen with one variant so far).
MIN_TAGS_FOR_ANY_PAYLOAD = 2

# An object is a map (`dict[str, V]`) when its keys are data, not field names: at least this many
# distinct keys, every one of them data-like (below), and values of one compatible type. Keys that
# are identifiers (`price`, `BTCUSD`) or words with hyphens (`first-name`) never make a map.
MAP_MIN_KEYS = 3
DATA_KEY = re.compile(
    r"-?[0-9]+(\.[0-9]+)?"  # ids and prices: "42", "89788.5"
    r"|[0-9a-fA-F]{8}-[0-9a-fA-F-]{4,}"  # UUIDs
    r"|(?=.*[0-9]).*[^A-Za-z0-9_].*"  # a digit and punctuation: "2024-01-01", "user:42", "v1.2"
    r"|[A-Z0-9]+(?:[-/:.][A-Z0-9]+)+"  # symbols and pairs: "BTC-USD", "EUR/USD"
)
