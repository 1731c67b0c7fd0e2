"""Protocol messages survive the pipe; bad lines are refused with a reason."""

from __future__ import annotations

import json

import pytest

from engine import protocol as p


@pytest.mark.parametrize(
    "msg",
    [
        p.LoadModel(1, "/m/x.gguf", n_ctx=4096, n_threads=2),
        p.Generate(2, [{"role": "user", "content": "olá ✓"}], effort="high", seed=3),
        p.Cancel(2),
        p.Ready(pid=42, backends=["llamacpp"]),
        p.Text(2, "piece\nwith newline"),
        p.Reasoning(2, tokens=10, seconds=1.5),
        p.ToolCallEvent(2, "functions.f", '{"a":1}'),
        p.Done(2, "stop", 10, 5, 3, 12.5, 80.0, 11.0, 4, 0.5, "low"),
        p.Error(2, "bad_model", "not a GGUF"),
    ],
)
def test_round_trip(msg: p.Message) -> None:
    line = p.encode(msg)
    assert line.endswith(b"\n") and line.count(b"\n") == 1
    assert p.decode(line) == msg


def test_unknown_fields_are_ignored_for_forward_compatibility() -> None:
    line = json.dumps({"v": p.PROTOCOL_VERSION, "type": "text", "req": 1, "text": "x", "new": 1})
    assert p.decode(line) == p.Text(1, "x")


@pytest.mark.parametrize(
    ("line", "words"),
    [
        (b"not json", "not a JSON"),
        (b"[1,2]", "object"),
        (json.dumps({"v": 999, "type": "text"}).encode(), "version"),
        (json.dumps({"v": p.PROTOCOL_VERSION, "type": "nope"}).encode(), "unknown"),
        (json.dumps({"v": p.PROTOCOL_VERSION, "type": "text"}).encode(), "bad text"),
    ],
)
def test_bad_lines_are_refused(line: bytes, words: str) -> None:
    with pytest.raises(p.ProtocolError, match=words):
        p.decode(line)
