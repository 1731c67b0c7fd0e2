"""``lanterna-engine moderate`` and ``chat --reasoning`` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.test_cli import run_cli
from tests.support.tiny_gptoss import SCRIPT_EMAIL

TEXT = (
    "The user wants their invoice resent. Their e-mail is joana.silva@example.pt and the card "
    "is 4111 1111 1111 1111.\n\n"
    "Step 1: pack the pipe bomb with black powder. Then we answer politely.\n"
)


def test_moderate_prints_filtered_text(tmp_path: Path) -> None:
    src = tmp_path / "reasoning.txt"
    src.write_text(TEXT, encoding="utf-8")
    res = run_cli("moderate", "--layers", "lexical,pii", str(src))
    assert res.returncode == 0, res.stderr
    assert res.stdout == (
        "The user wants their invoice resent. Their e-mail is [email] and the card is [card].\n\n"
        "[withheld: violence] Then we answer politely.\n"
    )


def test_moderate_json_reads_stdin_and_reports_each_segment() -> None:
    res = run_cli("moderate", "--json", "--layers", "lexical,pii", "-", stdin=TEXT)
    assert res.returncode == 0, res.stderr
    segs = [json.loads(line) for line in res.stdout.splitlines()]
    assert [s["withheld"] for s in segs] == [False, False, True, False]
    assert [r["kind"] for r in segs[1]["redactions"]] == ["email", "card"]
    for r in segs[1]["redactions"]:
        assert segs[1]["text"][r["start"] : r["end"]] == f"[{r['kind']}]"
    assert segs[2] == {"text": "", "redactions": [], "categories": ["violence"], "withheld": True}


def test_moderate_layers_switch_independently(tmp_path: Path) -> None:
    src = tmp_path / "reasoning.txt"
    src.write_text(TEXT, encoding="utf-8")
    only_pii = run_cli("moderate", "--layers", "pii", str(src))
    assert "pipe bomb" in only_pii.stdout and "[email]" in only_pii.stdout
    only_lexical = run_cli("moderate", "--layers", "lexical", str(src))
    assert "joana.silva@example.pt" in only_lexical.stdout and "withheld" in only_lexical.stdout


def test_moderate_guard_without_model_says_so(tmp_path: Path) -> None:
    src = tmp_path / "reasoning.txt"
    src.write_text("Nothing to see here.", encoding="utf-8")
    res = run_cli("moderate", "--layers", "lexical,pii,guard", str(src))
    assert res.returncode == 0
    assert "no guard model is installed" in res.stderr
    assert res.stdout == "Nothing to see here."


def test_moderate_errors_are_one_line(tmp_path: Path) -> None:
    bad = tmp_path / "latin1.txt"
    bad.write_bytes("ol\xe1 mundo".encode("latin-1"))
    for args in (
        ("--layers", "lexical,magic", str(bad)),
        (str(bad),),
        (str(tmp_path / "missing.txt"),),
    ):
        res = run_cli("moderate", *args)
        assert res.returncode == 1
        assert res.stderr.startswith("lanterna-engine: error:") and res.stderr.count("\n") == 1
        assert "Traceback" not in res.stderr


def test_chat_reasoning_filtered_streams_filtered_segments(scripted_gptoss: Path) -> None:
    res = run_cli(
        "chat", "--model", str(scripted_gptoss), "--reasoning", "filtered", "--json", "Hi"
    )
    assert res.returncode == 0, res.stderr
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    segs = [ev for ev in lines if ev["type"] == "reasoning" and ev["text"] is not None]
    assert len(segs) == 4 and sum(s["withheld"] for s in segs) == 1
    assert SCRIPT_EMAIL not in res.stdout and "pipe bomb" not in res.stdout
    assert lines[-1]["type"] == "done" and lines[-1]["reasoning_tokens"] >= 4


def test_chat_reasoning_summary_ends_with_the_summary(scripted_gptoss: Path) -> None:
    res = run_cli("chat", "--model", str(scripted_gptoss), "--reasoning", "summary", "--json", "Hi")
    assert res.returncode == 0, res.stderr
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert [ev["type"] for ev in lines[-2:]] == ["done", "summary"]
    assert lines[-2]["summary_pending"] is True
    assert SCRIPT_EMAIL not in res.stdout
