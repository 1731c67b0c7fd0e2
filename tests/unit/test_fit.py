"""The memory estimate, memory detection, and ``models fit`` run through its own parser."""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine.cli import models_fit
from engine.cli.common import CliError
from engine.gguf_header import GGUFHeader
from engine.models import fit
from engine.models.catalog import find_entry, load_catalog
from engine.models.fit import (
    FITS,
    GIB,
    KIB,
    MIB,
    TIGHT,
    WONT_FIT,
    ArchFacts,
    FitError,
    MachineMemory,
    RuntimeSettings,
    estimate,
    fit_for_entry,
    fit_for_path,
)
from engine.models.registry import ModelRegistry
from tests.support import tiny_gptoss as tiny

WINDOWED = RuntimeSettings(swa_full=False)
FULL = RuntimeSettings(swa_full=True)


def gpt_oss() -> ArchFacts:
    entry = find_entry("gpt-oss-20b")
    assert entry is not None
    return ArchFacts.from_entry(entry)


def machine(total_gib: float, available_gib: float, unified: bool = False) -> MachineMemory:
    return MachineMemory(
        total_bytes=int(total_gib * GIB), available_bytes=int(available_gib * GIB), unified=unified
    )


BIG = machine(64, 60)

# Detection reads /proc/meminfo and probes nvidia-smi only on Linux (macOS has unified memory).
linux_only = pytest.mark.skipif(not sys.platform.startswith("linux"), reason="Linux detection")


# --------------------------------------------------------------------------- gpt-oss-20b


@pytest.mark.parametrize("n_ctx", [8192, 131072])
def test_gpt_oss_20b_weights_and_kv_per_token(n_ctx: int) -> None:
    entry = find_entry("gpt-oss-20b")
    assert entry is not None
    windowed = fit_for_entry(entry, n_ctx, BIG, WINDOWED)
    full = fit_for_entry(entry, n_ctx, BIG, FULL)
    assert abs(windowed.weights_bytes / GIB - 11.3) <= 0.1 * 11.3
    assert abs(windowed.kv_bytes_per_token / (24 * KIB) - 1) <= 0.1
    assert abs(full.kv_bytes_per_token / (48 * KIB) - 1) <= 0.1
    # The windowed cache grows by the full-attention half only, plus a fixed window part.
    assert windowed.kv_window_bytes > 0
    assert windowed.kv_bytes == 24 * KIB * n_ctx + windowed.kv_window_bytes
    assert full.kv_bytes == 48 * KIB * n_ctx
    assert full.kv_window_bytes == 0


def test_gpt_oss_window_part_is_the_window_plus_a_micro_batch() -> None:
    est = estimate(12 * GIB, gpt_oss(), 8192, BIG, WINDOWED)
    # 12 sliding layers × (128 + 512 rounded up to 768 cells) × 2 KiB per cell.
    assert est.kv_window_bytes == 12 * 768 * 2 * KIB == 18 * MIB


def test_default_settings_follow_the_backends_rule() -> None:
    # The backend keeps the full sliding-window cache up to 32k tokens, windowed beyond, with
    # flash attention on (the loaded context is checked against this in the integration tests).
    s = RuntimeSettings()
    assert (s.flash_attention, s.n_ubatch, s.kv_type_size) == (True, 512, 2.0)
    assert s.full_swa_at(32768) and not s.full_swa_at(32769)
    arch = gpt_oss()
    assert estimate(12 * GIB, arch, 8192, BIG).kv_bytes_per_token == 48 * KIB
    assert estimate(12 * GIB, arch, 131072, BIG).kv_bytes_per_token == 24 * KIB
    assert RuntimeSettings(swa_full=True).full_swa_at(131072)
    mlx = RuntimeSettings.for_backend("mlx")
    assert not mlx.full_swa_at(1024) and mlx.flash_attention


def test_attention_scratch_grows_with_context_without_flash_attention() -> None:
    arch = gpt_oss()
    no_flash = RuntimeSettings(flash_attention=False)
    short = estimate(12 * GIB, arch, 8192, BIG, no_flash)
    long = estimate(12 * GIB, arch, 131072, BIG, no_flash)
    # 1.5 × 8192 cells × 512 tokens × 64 heads × 4 bytes.
    assert short.compute_bytes == pytest.approx(1.5 * GIB, rel=0.02)
    assert long.compute_bytes == pytest.approx(24 * GIB, rel=0.02)
    flash = estimate(12 * GIB, arch, 131072, BIG)
    # With flash attention the logits of a micro-batch are the largest tensor.
    logits = 201088 * 512 * 4
    assert logits < flash.compute_bytes < logits + 32 * MIB


def test_total_is_the_sum_of_its_parts() -> None:
    est = estimate(12 * GIB, gpt_oss(), 8192, BIG)
    assert est.overhead_bytes == est.compute_bytes + est.runtime_bytes
    assert est.total_bytes == est.weights_bytes + est.kv_bytes + est.overhead_bytes
    assert est.headroom_bytes == est.available_bytes - est.total_bytes
    data = est.to_dict()
    assert data["total_bytes"] == est.total_bytes
    assert data["headroom_bytes"] == est.headroom_bytes
    json.dumps(data)


# ------------------------------------------------------------------------------ verdicts


def test_verdicts_for_synthetic_machines() -> None:
    arch = gpt_oss()
    total = estimate(12 * GIB, arch, 8192, BIG).total_bytes / GIB
    assert 13 < total < 15
    assert estimate(12 * GIB, arch, 8192, machine(64, 60)).verdict == FITS
    # Fits, but into the last 15% of what is free.
    assert estimate(12 * GIB, arch, 8192, machine(32, total / 0.9)).verdict == TIGHT
    # Not free now, but the machine has room once other programs let go.
    tight = estimate(12 * GIB, arch, 8192, machine(32, 6))
    assert tight.verdict == TIGHT and "closing other programs" in tight.reason
    assert estimate(12 * GIB, arch, 8192, machine(8, 7)).verdict == WONT_FIT
    # The whole 128k context: 15 GiB with a windowed cache and flash attention.
    assert estimate(12 * GIB, arch, 131072, machine(32, 30)).verdict == FITS
    assert estimate(12 * GIB, arch, 131072, machine(16, 14)).verdict == WONT_FIT


def test_verdict_margins_are_exact() -> None:
    arch = gpt_oss()
    total = estimate(12 * GIB, arch, 8192, BIG).total_bytes
    at_margin = MachineMemory(total_bytes=10 * total, available_bytes=int(total / 0.85) + 1)
    assert estimate(12 * GIB, arch, 8192, at_margin).verdict == FITS
    below = MachineMemory(total_bytes=10 * total, available_bytes=int(total / 0.85) - 2)
    assert estimate(12 * GIB, arch, 8192, below).verdict == TIGHT
    short = MachineMemory(total_bytes=total, available_bytes=total - 1)
    assert estimate(12 * GIB, arch, 8192, short).verdict == WONT_FIT


def test_unified_memory_caps_what_the_gpu_can_hold() -> None:
    arch = gpt_oss()
    plain = estimate(12 * GIB, arch, 8192, machine(17, 17))
    unified = estimate(12 * GIB, arch, 8192, machine(17, 17, unified=True))
    assert plain.verdict == FITS
    assert unified.verdict == TIGHT and "GPU" in unified.reason


def test_vram_check_when_a_gpu_is_known() -> None:
    arch = gpt_oss()
    small_gpu = MachineMemory(64 * GIB, 60 * GIB, vram_total_bytes=8 * GIB, vram_free_bytes=7 * GIB)
    big_gpu = MachineMemory(64 * GIB, 60 * GIB, vram_total_bytes=24 * GIB, vram_free_bytes=23 * GIB)
    assert estimate(12 * GIB, arch, 8192, small_gpu).fits_in_vram is False
    assert estimate(12 * GIB, arch, 8192, big_gpu).fits_in_vram is True
    assert estimate(12 * GIB, arch, 8192, BIG).fits_in_vram is None


def test_bad_input_is_refused() -> None:
    with pytest.raises(FitError):
        estimate(12 * GIB, gpt_oss(), 0, BIG)
    with pytest.raises(FitError):
        estimate(0, gpt_oss(), 8192, BIG)
    with pytest.raises(FitError):
        MachineMemory(total_bytes=0, available_bytes=0)


def test_every_catalog_entry_can_be_estimated() -> None:
    for entry in load_catalog():
        est = fit_for_entry(entry, 4096, BIG)
        assert est.total_bytes > est.weights_bytes == entry.size_bytes, entry.name


# ------------------------------------------------------------------ facts from a GGUF header


def test_fit_for_the_tiny_gpt_oss_reads_its_header(tiny_gptoss: Path) -> None:
    est = fit_for_path(tiny_gptoss, 8192, BIG)
    assert est.weights_bytes == tiny_gptoss.stat().st_size
    assert est.context_length == tiny.CONTEXT_LENGTH
    assert est.exceeds_context_length
    per_layer = tiny.N_HEAD_KV * 2 * tiny.HEAD_DIM * 2
    assert est.kv_bytes_per_token_full == tiny.N_LAYER * per_layer
    # gpt-oss alternates: one of the tiny model's two layers uses the window.
    assert est.kv_bytes_per_token_windowed == 1 * per_layer


def test_tiny_gpt_oss_arch_facts(tiny_gptoss: Path) -> None:
    from engine.gguf_header import read_header

    arch = ArchFacts.from_header(read_header(tiny_gptoss))
    assert arch.architecture == "gpt-oss"
    assert (arch.n_layer, arch.n_head, arch.n_head_kv) == (
        tiny.N_LAYER,
        tiny.N_HEAD,
        tiny.N_HEAD_KV,
    )
    assert (arch.key_length, arch.value_length) == (tiny.HEAD_DIM, tiny.HEAD_DIM)
    assert (arch.sliding_window, arch.n_swa_layers) == (tiny.SLIDING_WINDOW, 1)
    assert (arch.n_embd, arch.n_vocab) == (tiny.N_EMBD, tiny.N_VOCAB)


def test_tiny_gpt_oss_matches_llama_cpp_allocations(tiny_gptoss: Path) -> None:
    # What the bundled llama.cpp reports for this file with the backend's settings (flash
    # attention on): at 8192 tokens a full-size cache, KV buffers of 1.00 + 1.00 MiB and a
    # 393.13 MiB compute buffer (the logits of one micro-batch); at 131072 tokens a windowed
    # cache, KV buffers of 16.00 MiB + 0.09 MiB (768 cells), and the same compute buffer.
    short = fit_for_path(tiny_gptoss, 8192, BIG)
    assert short.kv_bytes == 2 * MIB
    assert short.compute_bytes == pytest.approx(393.13 * MIB, rel=0.02)
    long = fit_for_path(tiny_gptoss, 131072, BIG)
    assert long.kv_bytes == 16 * MIB + 768 * 128
    assert long.compute_bytes == pytest.approx(393.13 * MIB, rel=0.02)


def _header(meta: dict[str, object], arch: str = "mystery") -> GGUFHeader:
    return GGUFHeader(
        path=Path("x.gguf"),
        version=3,
        tensor_count=1,
        metadata={"general.architecture": arch, **{f"{arch}.{k}": v for k, v in meta.items()}},
    )


def test_header_without_kv_heads_counts_one_per_query_head() -> None:
    arch = ArchFacts.from_header(
        _header({"block_count": 4, "attention.head_count": 8, "embedding_length": 512})
    )
    assert arch.n_head_kv == 8
    assert arch.key_length == arch.value_length == 64
    assert arch.n_swa_layers == 0


def test_header_window_layout() -> None:
    base = {"block_count": 12, "attention.head_count": 8, "embedding_length": 512}
    unknown = ArchFacts.from_header(_header({**base, "attention.sliding_window": 256}))
    assert unknown.n_swa_layers == 12
    patterned = ArchFacts.from_header(
        _header({**base, "attention.sliding_window": 256, "attention.sliding_window_pattern": 4})
    )
    assert patterned.n_swa_layers == 9
    gemma = ArchFacts.from_header(_header({**base, "attention.sliding_window": 512}, "gemma3"))
    assert gemma.n_swa_layers == 10


def test_header_without_attention_numbers_is_refused() -> None:
    with pytest.raises(FitError):
        ArchFacts.from_header(_header({"block_count": 4}))


def test_split_gguf_counts_every_shard(tmp_path: Path) -> None:
    for i, size in enumerate((100, 200, 50), start=1):
        (tmp_path / f"m-{i:05d}-of-00003.gguf").write_bytes(b"\0" * size)
    assert fit.gguf_weights_bytes(tmp_path / "m-00001-of-00003.gguf") == 350
    (tmp_path / "m-00002-of-00003.gguf").unlink()
    with pytest.raises(FitError, match="missing"):
        fit.gguf_weights_bytes(tmp_path / "m-00001-of-00003.gguf")


# ------------------------------------------------------------------------ memory detection


@linux_only
def test_memory_detection_on_this_machine() -> None:
    mem = fit.detect_memory(probe_gpu=False)
    assert mem.source == "/proc/meminfo"
    physical = os.sysconf("SC_PHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
    assert abs(mem.total_bytes - physical) <= 0.02 * physical
    assert 0 < mem.available_bytes <= mem.total_bytes
    assert not mem.unified and mem.vram_free_bytes is None


def test_parse_meminfo() -> None:
    text = "MemTotal:       16384000 kB\nMemFree:  1000 kB\nMemAvailable:    8192000 kB\n"
    assert fit.parse_meminfo(text) == (16384000 * 1024, 8192000 * 1024)
    old = "MemTotal: 4000 kB\nMemFree: 1000 kB\nBuffers: 100 kB\nCached: 900 kB\n"
    assert fit.parse_meminfo(old) == (4000 * 1024, 2000 * 1024)
    with pytest.raises(FitError):
        fit.parse_meminfo("nothing here")


def test_parse_vm_stat() -> None:
    text = (
        "Mach Virtual Memory Statistics: (page size of 16384 bytes)\n"
        "Pages free:                               10000.\n"
        "Pages active:                            500000.\n"
        "Pages inactive:                           20000.\n"
        "Pages speculative:                         3000.\n"
        "Pages wired down:                         90000.\n"
        "Pages purgeable:                           1000.\n"
    )
    assert fit.parse_vm_stat(text) == (10000 + 20000 + 3000 + 1000) * 16384


def test_parse_nvidia_smi() -> None:
    text = "NVIDIA GeForce RTX 4060 Ti, 16380, 15225\nNVIDIA A2, 15356, 100\n"
    total, free, names = fit.parse_nvidia_smi(text) or (0, 0, "")
    assert total == (16380 + 15356) * MIB
    assert free == (15225 + 100) * MIB
    assert "RTX 4060 Ti" in names and "A2" in names
    assert fit.parse_nvidia_smi("No devices were found\n") is None


@linux_only
def test_vram_from_nvidia_smi(monkeypatch: pytest.MonkeyPatch) -> None:
    calls: list[list[str]] = []

    def fake_run(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        calls.append(cmd)
        assert kwargs.get("timeout") is not None
        return subprocess.CompletedProcess(cmd, 0, "Test GPU, 8192, 6144\n", "")

    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/nvidia-smi")
    monkeypatch.setattr(subprocess, "run", fake_run)
    mem = fit.detect_memory()
    assert mem.vram_total_bytes == 8 * GIB and mem.vram_free_bytes == 6 * GIB
    assert mem.gpu_name == "Test GPU"
    assert calls and calls[0][0] == "/usr/bin/nvidia-smi"


@linux_only
def test_nvidia_smi_that_hangs_is_ignored(monkeypatch: pytest.MonkeyPatch) -> None:
    def hang(cmd: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
        raise subprocess.TimeoutExpired(cmd, float(str(kwargs["timeout"])))

    monkeypatch.setattr(shutil, "which", lambda name: "/usr/bin/nvidia-smi")
    monkeypatch.setattr(subprocess, "run", hang)
    mem = fit.detect_memory()
    assert mem.vram_free_bytes is None and mem.total_bytes > 0


# ------------------------------------------------------------------------ models fit (CLI)


def _parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(prog="lanterna-engine models")
    sub = ap.add_subparsers(dest="models_command", required=True)
    models_fit.register(sub)
    return ap


@pytest.fixture
def fixed_machine(monkeypatch: pytest.MonkeyPatch) -> MachineMemory:
    mem = machine(32, 30)
    monkeypatch.setattr(models_fit, "detect_memory", lambda: mem)
    return mem


def _run(argv: list[str]) -> int:
    args = _parser().parse_args(argv)
    code: int = args.func(args)
    return code


def test_cli_json_for_a_catalog_model(
    fixed_machine: MachineMemory, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["fit", "gpt-oss-20b", "--ctx", "8192", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source"] == "catalog" and data["repository"] == "ggml-org/gpt-oss-20b-GGUF"
    assert data["n_ctx"] == 8192
    assert data["kv_bytes_per_token"] == 48 * KIB
    assert data["kv_bytes_per_token_windowed"] == 24 * KIB
    assert data["available_bytes"] == fixed_machine.available_bytes
    assert data["verdict"] == FITS
    assert data["total_bytes"] == data["weights_bytes"] + data["kv_bytes"] + data["overhead_bytes"]


def test_cli_what_if_flags(
    fixed_machine: MachineMemory, capsys: pytest.CaptureFixture[str]
) -> None:
    _run(["fit", "gpt-oss-20b", "--ctx", "131072", "--json"])
    default = json.loads(capsys.readouterr().out)
    flags = ["--kv-cache", "full", "--no-flash-attn"]
    _run(["fit", "gpt-oss-20b", "--ctx", "131072", "--json", *flags])
    untuned = json.loads(capsys.readouterr().out)
    assert default["verdict"] == FITS
    assert default["kv_bytes_per_token"] == 24 * KIB
    assert untuned["verdict"] == WONT_FIT
    assert untuned["kv_bytes_per_token"] == 48 * KIB
    assert default["total_bytes"] < untuned["total_bytes"] / 2


def test_cli_text_for_a_catalog_model(
    fixed_machine: MachineMemory, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["fit", "gpt-oss-20b"]) == 0
    out = capsys.readouterr().out
    assert "gpt-oss-20b (ggml-org/gpt-oss-20b-GGUF, gpt-oss-20b-MXFP4.gguf) at 8192" in out
    for label in ("weights", "KV cache", "overhead", "total", "available", "verdict"):
        assert f"  {label}" in out
    assert "11.3 GiB" in out
    assert "48.0 KiB/token" in out
    assert "verdict    fits:" in out


def test_cli_for_a_gguf_file(
    tiny_gptoss: Path, fixed_machine: MachineMemory, capsys: pytest.CaptureFixture[str]
) -> None:
    assert _run(["fit", str(tiny_gptoss), "--ctx", "1024", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source"] == "file" and data["model"] == str(tiny_gptoss)
    assert data["weights_bytes"] == tiny_gptoss.stat().st_size
    assert data["context_length"] == tiny.CONTEXT_LENGTH
    assert data["exceeds_context_length"] is False


def test_cli_for_an_installed_model_by_the_name_models_list_prints(
    tiny_gptoss: Path,
    tmp_path: Path,
    fixed_machine: MachineMemory,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.setenv("LANTERNA_HOME", str(tmp_path / "home"))
    installed = ModelRegistry().import_model(tiny_gptoss)
    assert _run(["fit", installed.name, "--ctx", "1024", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["source"] == "file" and data["model"] == str(installed.path)
    assert data["weights_bytes"] == tiny_gptoss.stat().st_size


@pytest.mark.usefixtures("fixed_machine")
def test_cli_refuses_bad_input(tmp_path: Path) -> None:
    with pytest.raises(CliError, match="neither an installed model, a catalog model"):
        _run(["fit", "no-such-model"])
    with pytest.raises(CliError, match="positive"):
        _run(["fit", "gpt-oss-20b", "--ctx", "0"])
    with pytest.raises(CliError, match="folder"):
        _run(["fit", str(tmp_path)])
    with pytest.raises(CliError, match="no such file"):
        _run(["fit", str(tmp_path / "missing.gguf")])
    junk = tmp_path / "junk.gguf"
    junk.write_bytes(b"not a model at all, just some bytes here")
    with pytest.raises(CliError, match="not a GGUF"):
        _run(["fit", str(junk)])
