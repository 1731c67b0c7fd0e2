"""``lanterna-engine`` as a user runs it: a real process, real models, exit codes, stdout."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from engine.conversation import ChatMessage, ToolCall, ToolSpec, conversation_to_json
from engine.harmony.render import HarmonyOptions
from tests.support.harmony_oracle import HarmonyOracle

EXE = shutil.which("lanterna-engine", path=str(Path(sys.executable).parent)) or "lanterna-engine"


def run_cli(
    *args: str, env: dict[str, str] | None = None, timeout: float = 300, stdin: str | None = None
) -> Any:
    return subprocess.run(
        [EXE, *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        env={**os.environ, **(env or {})},
        input=stdin,
        stdin=subprocess.DEVNULL if stdin is None else None,
    )


def test_chat_json_streams_and_ends_with_done(lanterna_home: Path, demo_model: Path) -> None:
    res = run_cli("chat", "--json", "--max-tokens", "16", "--seed", "1", "Hello")
    assert res.returncode == 0, res.stderr
    lines = [json.loads(line) for line in res.stdout.splitlines()]
    assert lines, "no output"
    assert all("type" in obj for obj in lines)
    done = lines[-1]
    assert done["type"] == "done"
    for key in ("finish_reason", "prompt_tokens", "completion_tokens", "ttft_ms", "tokens_per_s"):
        assert key in done
    assert 1 <= done["completion_tokens"] <= 16
    assert {obj["type"] for obj in lines[:-1]} <= {"text", "reasoning", "tool_call"}


def test_chat_plain_prints_the_answer(lanterna_home: Path, demo_model: Path) -> None:
    res = run_cli("chat", "--max-tokens", "24", "--seed", "3", "What is the capital of France?")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip()
    assert "Traceback" not in res.stderr


def test_chat_with_a_conversation_file(
    lanterna_home: Path, demo_model: Path, tmp_path: Path
) -> None:
    conv = tmp_path / "conv.json"
    conv.write_text(
        json.dumps(
            [
                {"role": "system", "content": "You are terse."},
                {"role": "user", "content": "Name a colour."},
                {"role": "assistant", "content": "Blue.", "reasoning": "Pick one."},
                {"role": "user", "content": "Another?"},
            ]
        )
    )
    res = run_cli("chat", "--json", "--max-tokens", "8", "--conversation", str(conv))
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout.splitlines()[-1])["type"] == "done"


def test_chat_on_gpt_oss_goes_through_harmony(lanterna_home: Path, tiny_gptoss: Path) -> None:
    res = run_cli(
        "chat",
        "--model",
        str(tiny_gptoss),
        "--json",
        "--effort",
        "high",
        "--max-tokens",
        "32",
        "--seed",
        "4",
        "--ctx",
        "1024",
        "Hi",
    )
    assert res.returncode == 0, res.stderr
    done = json.loads(res.stdout.splitlines()[-1])
    assert done["type"] == "done"
    assert done["effort"] == "high"


@pytest.mark.parametrize(
    ("setup", "words"),
    [
        ("missing", "no such file"),
        ("not_gguf", "not a GGUF"),
        ("bad_conversation", "not valid JSON"),
        ("bad_role", "unknown role"),
    ],
)
def test_chat_errors_are_one_line(
    lanterna_home: Path, tmp_path: Path, setup: str, words: str
) -> None:
    args = ["chat", "--max-tokens", "4"]
    if setup == "missing":
        args += ["--model", str(tmp_path / "nope.gguf"), "hi"]
    elif setup == "not_gguf":
        fake = tmp_path / "fake.gguf"
        fake.write_bytes(b"PK\x03\x04 this is a zip file")
        args += ["--model", str(fake), "hi"]
    else:
        conv = tmp_path / "c.json"
        conv.write_text("[{" if setup == "bad_conversation" else '[{"role": "robot"}]')
        args += ["--conversation", str(conv)]
    res = run_cli(*args)
    assert res.returncode != 0
    err = res.stderr.strip()
    assert "Traceback" not in err
    assert len(err.splitlines()) == 1, err
    assert err.startswith("lanterna-engine: error:")
    assert words in err


def test_chat_reports_a_crashed_worker(
    lanterna_home: Path, demo_model: Path, tmp_path: Path
) -> None:
    crasher = tmp_path / "crashing-worker"
    crasher.write_text("#!/bin/sh\necho 'fatal: something broke' >&2\nkill -SEGV $$\n")
    crasher.chmod(0o755)
    res = run_cli("chat", "--json", "hi", env={"LANTERNA_WORKER_EXE": str(crasher)})
    assert res.returncode != 0
    err = res.stderr.strip()
    assert len(err.splitlines()) == 1, err
    assert "SIGSEGV" in err
    assert json.loads(res.stdout.splitlines()[-1])["type"] == "error"


def _harmony_cases() -> list[tuple[str, list[ChatMessage], tuple[ToolSpec, ...]]]:
    weather = ToolSpec(
        "get_weather",
        "Current weather for a city.",
        {
            "type": "object",
            "properties": {
                "city": {"type": "string", "description": "City name"},
                "unit": {"type": "string", "enum": ["celsius", "fahrenheit"]},
            },
            "required": ["city"],
        },
    )
    multi = [
        ChatMessage("user", "What is 2+2?"),
        ChatMessage("assistant", "4", reasoning="Simple arithmetic."),
        ChatMessage("user", "And times 3?"),
    ]
    dev = [ChatMessage("developer", "Always answer in Portuguese."), ChatMessage("user", "Olá!")]
    tool = [
        ChatMessage("user", "Weather in Lisbon?"),
        ChatMessage(
            "assistant",
            "",
            reasoning="I should call the tool.",
            tool_calls=(ToolCall("functions.get_weather", '{"city":"Lisbon"}'),),
        ),
        ChatMessage("tool", '{"temp": 21}', name="functions.get_weather"),
    ]
    return [("multi-turn", multi, ()), ("developer", dev, ()), ("tool", tool, (weather,))]


@pytest.mark.parametrize("effort", ["low", "medium", "high"])
@pytest.mark.parametrize("case", [c[0] for c in _harmony_cases()])
def test_prompt_harmony_equals_reference(
    harmony_oracle: HarmonyOracle, tmp_path: Path, effort: str, case: str
) -> None:
    _, messages, tools = next(c for c in _harmony_cases() if c[0] == case)
    conv = tmp_path / "conv.json"
    conv.write_text(json.dumps(conversation_to_json(messages)))
    args = ["prompt", "--format", "harmony", "--effort", effort, "--date", "2026-11-21"]
    args += ["--conversation", str(conv)]
    if tools:
        spec = [
            {"name": t.name, "description": t.description, "parameters": t.parameters}
            for t in tools
        ]
        (tmp_path / "tools.json").write_text(json.dumps(spec))
        args += ["--tools", str(tmp_path / "tools.json")]
    res = run_cli(*args)
    assert res.returncode == 0, res.stderr
    expected = harmony_oracle.render_text(
        messages,
        HarmonyOptions(effort=effort, date="2026-11-21", tools=tools),  # type: ignore[arg-type]
    )
    assert res.stdout == expected


def test_prompt_for_the_demo_model_is_the_plain_transcript(
    lanterna_home: Path, demo_model: Path
) -> None:
    res = run_cli("prompt", "Hello")
    assert res.returncode == 0, res.stderr
    assert res.stdout == "<bos>User: Hello\nAssistant:"


def test_bench_prints_ratios(lanterna_home: Path, demo_model: Path) -> None:
    res = run_cli("bench", "--tokens", "16", "--rounds", "1", "--ctx", "512", "--json")
    assert res.returncode == 0, res.stderr
    result = json.loads(res.stdout)
    assert result["raw_decode_tps"] > 0
    assert result["worker_decode_tps"] > 0
    # One round: the median of one pair is that pair's ratio.
    assert result["decode_ratio"] == pytest.approx(
        result["worker_decode_tps"] / result["raw_decode_tps"], rel=1e-3
    )
    assert result["ttft_delta_ms"] == pytest.approx(
        result["worker_ttft_ms"] - result["raw_ttft_ms"], abs=0.02
    )


def test_app_executable_re_enters_itself_as_the_worker(
    lanterna_home: Path, demo_model: Path
) -> None:
    # What a frozen build does: the app binary started with --worker serves the protocol.
    app = shutil.which("lanterna", path=str(Path(sys.executable).parent))
    assert app is not None
    res = run_cli("chat", "--json", "--max-tokens", "8", "Hello", env={"LANTERNA_WORKER_EXE": app})
    assert res.returncode == 0, res.stderr
    assert json.loads(res.stdout.splitlines()[-1])["type"] == "done"


def test_missing_worker_executable_is_one_line(lanterna_home: Path, demo_model: Path) -> None:
    res = run_cli("chat", "hi", env={"LANTERNA_WORKER_EXE": "/nonexistent/worker"})
    assert res.returncode == 1
    assert res.stderr.strip().splitlines() == [
        "lanterna-engine: error: cannot start the engine worker '/nonexistent/worker': "
        "No such file or directory"
    ]


def test_tool_result_without_name_is_one_line(tmp_path: Path) -> None:
    conv = tmp_path / "c.json"
    conv.write_text('[{"role": "tool", "content": "42"}]')
    res = run_cli("prompt", "--format", "harmony", "--conversation", str(conv))
    assert res.returncode == 1
    assert len(res.stderr.strip().splitlines()) == 1
    assert "tool's name" in res.stderr


def test_closed_stdout_is_not_a_traceback(lanterna_home: Path, demo_model: Path) -> None:
    proc = subprocess.Popen(
        # This seed makes the demo model write all 300 tokens, so output continues after the
        # reader has gone.
        [
            EXE,
            "chat",
            "--json",
            "--max-tokens",
            "300",
            "--seed",
            "1",
            "Write a long essay about the history of lighthouses in Portugal.",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        stdin=subprocess.DEVNULL,
    )
    assert proc.stdout is not None and proc.stderr is not None
    proc.stdout.read(1)  # the answer has started
    proc.stdout.close()  # like `| head -c 1`
    err = proc.stderr.read().decode()
    proc.stderr.close()
    assert proc.wait(timeout=120) == 141
    assert "Traceback" not in err


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (("chat", "--ctx", "100"), "argument --ctx: the context length must be from 512 to"),
        (("chat", "--threads", "-2"), "argument --threads: the thread count must be from 1 to"),
        (("chat", "--temperature", "-1"), "argument --temperature: the temperature must be from"),
        (("bench", "--ctx", "10"), "argument --ctx: the context length must be from 512 to"),
        (("prompt", "--date", "2025-13-45"), "--date must be a real date written YYYY-MM-DD"),
    ],
)
def test_values_no_model_could_use_are_refused_before_anything_runs(
    lanterna_home: Path, args: tuple[str, ...], words: str
) -> None:
    res = run_cli(*args, "hi")
    assert res.returncode in (1, 2), res.stderr  # 2: argparse's own exit code for usage
    assert words in res.stderr.splitlines()[-1]
    assert "Traceback" not in res.stderr and res.stdout == ""


def test_chat_takes_the_context_length_from_the_settings(
    tmp_path: Path, demo_model: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from engine.settings import Settings, save_settings, settings_path

    home = tmp_path / "home"
    monkeypatch.setenv("LANTERNA_HOME", str(home))
    save_settings(Settings(context_length=512))
    assert settings_path().is_file()
    long = "Tell me about lighthouses. " * 150
    res = run_cli("chat", "--model", str(demo_model), "--max-tokens", "4", long)
    assert res.returncode == 1
    assert "the context holds 512; shorten it or raise the context length" in res.stderr
    # --ctx still wins over the settings.
    res = run_cli("chat", "--model", str(demo_model), "--max-tokens", "4", "--ctx", "2048", long)
    assert res.returncode == 0, res.stderr
