"""Captured traffic as samples: HAR files and log lines with a prefix.

Every message keeps a file:line:column in the file it came from, and everything skipped is said
with its place and why. Expected places are found in the fixture text by the tests themselves.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest

from codegen.errors import CodegenError
from codegen.ingest import ingest_document, read_sample_set


def place(text: str, needle: str, skip: int = 0, *, nth: int = 0) -> str:
    """`line:column` of the character `skip` characters into the nth `needle` of text."""
    offset = -1
    for _ in range(nth + 1):
        offset = text.index(needle, offset + 1)
    offset += skip
    line = text.count("\n", 0, offset) + 1
    return f"{line}:{offset - text.rfind(chr(10), 0, offset)}"


def read(tmp_path: Path, name: str, text: str) -> list[tuple[object, str]]:
    folder = tmp_path / "set"
    folder.mkdir(exist_ok=True)
    (folder / name).write_text(text, encoding="utf-8")
    return [(s.value, str(s.origin)) for s in read_sample_set(folder, "set")]


def warnings(capsys: pytest.CaptureFixture[str]) -> list[str]:
    return capsys.readouterr().err.splitlines()


# --- log lines ----------------------------------------------------------------------------------

LOG = """\
1617123456.789: {"type": "tick", "price": 1}
2024-01-01T00:00:00Z <- {"type": "tick", "price": 2}
[12:00:01] recv {"type": "book", "bids": [[1, 2]]}
[12:00:02] connected to wss://feed.test

[INFO] [42] [{"type": "batch"}]
{"type": "bare"}
[12:00:03] recv {"type": "book", "bids": [[1, 2]
[12:00:04] recv {"type": "tick"} (2 ms)
{"type": "a"} {"type": "b"}
[12:00:05] {"price": NaN}
status 200 OK
"""


def test_log_lines_are_messages_after_their_prefix(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert read(tmp_path, "feed.log", LOG) == [
        ({"type": "tick", "price": 1}, "set/feed.log:1:17"),
        ({"type": "tick", "price": 2}, "set/feed.log:2:25"),
        ({"type": "book", "bids": [[1, 2]]}, "set/feed.log:3:17"),
        ([{"type": "batch"}], "set/feed.log:6:13"),
        ({"type": "bare"}, "set/feed.log:7:1"),
    ]
    assert warnings(capsys) == [
        "warning: set/feed.log:8:49: skipped a line: expected ',' or ']' after an array"
        " element, found end of input",
        "warning: set/feed.log:9:33: skipped a line: expected the end of the line after the"
        " JSON value (a line holds one message, after an optional prefix)",
        "warning: set/feed.log:10:15: skipped a line: expected one JSON value per line,"
        " found a second one",
        "warning: set/feed.log:11:22: skipped a line: NaN is not JSON (non-finite numbers"
        " cannot round-trip)",
        "warning: set/feed.log:4: skipped 2 line(s) holding no JSON object or array (log"
        " text), the first here",
    ]


def test_a_log_without_messages_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(CodegenError, match=r"^set/x\.log: no line holds a message$"):
        read(tmp_path, "x.log", "started\n[INFO] stopped\n")


def test_json_lines_take_a_prefix_and_stay_strict(tmp_path: Path) -> None:
    text = '1617123456.789 {"a": 1}\n"recv" [{"a": 2}]\n3\n'
    assert read(tmp_path, "x.jsonl", text) == [
        ({"a": 1}, "set/x.jsonl:1:16"),
        ([{"a": 2}], "set/x.jsonl:2:8"),
        (3, "set/x.jsonl:3:1"),
    ]
    # In JSON Lines a line that is no message is an error, not a warning.
    for line, message in [
        ('ts {"a": 1,}', "set/y.jsonl:1:12: expected a string key after ','"),
        ('{"a": 1} {"b": 2}', "set/y.jsonl:1:10: expected one JSON value per line"),
        ("just text", "set/y.jsonl:1:1: expected a JSON value"),
    ]:
        with pytest.raises(CodegenError) as caught:
            read(tmp_path, "y.jsonl", line + "\n")
        assert str(caught.value).startswith(message), caught.value


def test_log_lines_in_a_docs_text_file_are_read_too(tmp_path: Path) -> None:
    text = '[12:00:01] recv {"type": "tick"}\n1617123456.789: {"type": "book"}\n'
    assert read(tmp_path, "capture.txt", text) == [
        ({"type": "tick"}, "set/capture.txt:1:17"),
        ({"type": "book"}, "set/capture.txt:2:17"),
    ]


# --- HAR ----------------------------------------------------------------------------------------


def entry(url: str, content: dict[str, object], **extra: object) -> dict[str, object]:
    return {
        "request": {"method": "GET", "url": url},
        "response": {"status": 200, "content": content},
        **extra,
    }


FRAMES_B64 = {
    "body": base64.b64encode(b'{"id": 2}').decode(),
    "frame": base64.b64encode(b'[{"event": "binary"}]').decode(),
}
FRAMES = [
    {"type": "send", "time": 1.0, "opcode": 1, "data": '{"op": "subscribe"}'},
    {"type": "receive", "time": 1.1, "opcode": 1, "data": '{"event": "hello"}'},
    {"type": "receive", "time": 1.2, "opcode": 1, "data": "2"},
    {
        "type": "receive",
        "time": 1.3,
        "opcode": 2,
        "data": FRAMES_B64["frame"],
    },
    {"type": "receive", "time": 1.4, "opcode": 1, "data": '{"event": '},
]

HAR = json.dumps(
    {
        "log": {
            "version": "1.2",
            "entries": [
                entry(
                    "https://api.test/users/1",
                    {
                        "mimeType": "application/json; charset=utf-8",
                        "text": '{"id": 1, "name": "\u00e9\\n"}',
                    },
                ),
                entry(
                    "https://api.test/logo.png",
                    {"mimeType": "image/png", "text": "iVBO", "encoding": "base64"},
                ),
                entry(
                    "https://api.test/users/2",
                    {
                        "mimeType": "application/vnd.api+json",
                        "text": FRAMES_B64["body"],
                        "encoding": "base64",
                    },
                ),
                entry(
                    "https://api.test/users/3",
                    {
                        "mimeType": "application/json",
                        "text": '{"note": "caf\u00e9 \\"x\\"", "id": 3, "id": 4}',
                    },
                ),
                entry("https://api.test/empty", {"mimeType": "application/json"}),
                entry(
                    "wss://api.test/ws",
                    {"mimeType": "x-unknown", "size": 0},
                    _webSocketMessages=FRAMES,
                ),
            ],
        }
    },
    indent=2,
    ensure_ascii=False,
)


def at(needle: str, skip: int = 0, *, nth: int = 0) -> str:
    """A place in HAR as messages name it."""
    return f"set/session.har:{place(HAR, needle, skip, nth=nth)}"


def test_har_json_bodies_and_frames_received_are_samples_where_they_sit(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    frame = "{\n" + " " * 12  # how json.dumps(indent=2) opens a websocket frame
    samples = read(tmp_path, "session.har", HAR)
    assert samples == [
        # Where the body starts inside its JSON string, in the HAR file.
        ({"id": 1, "name": "é\n"}, at('{\\"id\\": 1')),
        # A base64 body has no place of its own inside the file: its string.
        ({"id": 2}, at('"' + FRAMES_B64["body"])),
        ({"event": "hello"}, at('{\\"event\\": \\"hello')),
        ([{"event": "binary"}], at('"' + FRAMES_B64["frame"])),
    ]
    line, column = place(HAR, '\\"id\\": 3').split(":")
    duplicate = at('\\"id\\": 4')
    truncated = '{\\"event\\": "'
    cut = at(truncated, len(truncated) - 1)  # the closing quote: the end of the frame
    image = at('"content": ', len('"content": '), nth=1)
    no_body = at('"content": ', len('"content": '), nth=4)
    sent = at(frame + '"type": "send"')
    ping = at(frame + '"type": "receive",\n' + " " * 12 + '"time": 1.2')
    assert warnings(capsys) == [
        # Found through the escapes before it (é, \") at its own line and column.
        f"warning: {duplicate}: skipped the response body of log.entries[3]"
        ' (GET https://api.test/users/3): duplicate key "id" in an object (first at line'
        f" {line}, column {column}): keeping one value would lose data",
        f"warning: {cut}: skipped websocket frame 4 received"
        " by log.entries[5] (GET wss://api.test/ws): expected a JSON value after ':',"
        " found end of input",
        f"warning: {image}: skipped 2 response(s) whose mime"
        " type is not JSON (image/png 1, x-unknown 1), the first here",
        f"warning: {no_body}: skipped 1 JSON response(s) without"
        " a body, the first here",
        f"warning: {sent}: skipped 1 websocket frame(s) sent"
        " (only frames received are samples), the first here",
        f"warning: {ping}: skipped 1 websocket frame(s) received that are not"
        " a JSON object or array (pings, protocol codes, binary), the first here",
    ]


def test_ingest_writes_each_har_message_as_its_text(tmp_path: Path) -> None:
    (tmp_path / "session.har").write_text(HAR, encoding="utf-8")
    paths = ingest_document(tmp_path / "session.har", tmp_path / "set")
    assert [p.read_text(encoding="utf-8") for p in paths] == [
        '{"id": 1, "name": "é\\n"}\n',
        '{"id": 2}\n',
        '{"event": "hello"}\n',
        '[{"event": "binary"}]\n',
    ]


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"log": {"pages": []}}', 'set/x.har:1:1: not a HAR file: expected {"log"'),
        ('{"log": {"entries": []}} {}', "set/x.har:1:26: expected one HAR document"),
        ('{"log": {"entries": [}}', "set/x.har:1:22: expected a JSON value"),
        (
            json.dumps(
                {
                    "log": {
                        "entries": [
                            entry(
                                "https://x.test",
                                {"mimeType": "text/html", "text": "<p>"},
                            )
                        ]
                    }
                }
            ),
            "set/x.har: no JSON response body or websocket frame received in this HAR file",
        ),
    ],
    ids=["no-entries", "two-documents", "not-json", "no-messages"],
)
def test_a_har_file_that_gives_nothing_is_an_error(
    tmp_path: Path, text: str, message: str
) -> None:
    with pytest.raises(CodegenError) as caught:
        read(tmp_path, "x.har", text)
    assert str(caught.value).startswith(message), caught.value
