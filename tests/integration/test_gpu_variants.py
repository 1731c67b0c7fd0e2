"""Which llama.cpp build a worker runs, and what its ``loaded`` event says about it.

The workers are real and run the bundled demo model. With no GPU (and no GPU build) here, the
CPU is what must be chosen, cleanly: layers asked for are not offloaded, and a GPU asked for in
settings gives the CPU with a reason instead of an error.

The variant tests import real builds in a fresh interpreter: a copy of the installed
llama-cpp-python laid out as a "cuda" variant, whole or with its library broken. A machine
without a GPU cannot make detection find one, so there the detection result is given (an NVIDIA
GPU), the way choose_backend's own tests give it; the import, the fallback and the device
report are the real thing.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from engine import gpu
from engine import protocol as p
from engine.client import EngineClient
from engine.conversation import ChatMessage
from tests.support.events import collect, done_of, load
from tests.unit.test_gpu import _machine_has_gpu_device

ROOT = Path(__file__).resolve().parents[2]
HELLO = [ChatMessage("user", "Hello!")]


def test_worker_runs_the_demo_model_on_the_cpu(client: EngineClient, demo_model: Path) -> None:
    # Every layer asked for: a CPU build has nowhere to put them, and says so without fuss.
    loaded = load(client, demo_model, n_ctx=1024, n_gpu_layers=-1)
    assert (loaded.backend, loaded.device, loaded.device_name) == ("llamacpp", "cpu", "")
    assert loaded.gpu_layers == 0
    assert loaded.device_note.startswith("CPU: ")
    if not _machine_has_gpu_device():
        assert loaded.device_note == "CPU: no GPU found"
    done = done_of(collect(client, client.generate(HELLO, max_tokens=4, seed=1)))
    assert done.completion_tokens >= 1
    noise = [ln for ln in client.stderr_tail() if "gpu" in ln.lower() or "offload" in ln.lower()]
    assert noise == []


def test_cuda_asked_for_without_its_build_runs_on_the_cpu_and_says_why(
    client: EngineClient, demo_model: Path
) -> None:
    client.load(demo_model, n_ctx=1024, n_gpu_layers=-1, gpu_backend="cuda")
    loaded = client.wait_for((p.Loaded,), timeout=120)
    assert isinstance(loaded, p.Loaded), loaded
    assert loaded.device == "cpu" and loaded.gpu_layers == 0
    assert loaded.device_note == (
        "CPU: CUDA was asked for but the CUDA build is not installed"
    )
    done = done_of(collect(client, client.generate(HELLO, max_tokens=4, seed=1)))
    assert done.completion_tokens >= 1


# ------------------------------------------------------------------ variants, imported for real

PROBE = """
import json, sys
from pathlib import Path
from engine import gpu
from engine.backends import llamacpp_variant
from engine.backends.base import LoadParams
from engine.backends.llamacpp import LlamaCppBackend

# This machine has no GPU to find: detection's answer is given, everything after is real.
gpu.probe_gpus = lambda: ([gpu.Gpu("cuda", "NVIDIA", "NVIDIA GeForce RTX 4090", 24 << 30)], "")
runtime = llamacpp_variant.activate("auto")
import llama_cpp
backend = LlamaCppBackend()
facts = backend.load(LoadParams(Path(sys.argv[1]), n_ctx=512, n_gpu_layers=-1), lambda f: True)
backend.close()
print(json.dumps({
    "device": runtime.device,
    "note": runtime.note,
    "fallback": runtime.fallback,
    "module": llama_cpp.__file__,
    "library": llama_cpp.llama_cpp._lib._name,
    "facts": [facts.device, facts.gpu_layers, facts.device_note],
}))
"""


@pytest.fixture
def cuda_variant(tmp_path: Path) -> Path:
    """The installed llama-cpp-python, copied as a finished "cuda" variant."""
    import importlib.util

    spec = importlib.util.find_spec("llama_cpp")
    assert spec is not None and spec.origin is not None
    folder = tmp_path / "variants" / "cuda"
    shutil.copytree(Path(spec.origin).parent, folder / "llama_cpp")
    info = {"variant": "cuda", "llama_cpp_python": gpu.bindings_version()}
    (folder / gpu.VARIANT_FILE).write_text(json.dumps(info))
    return folder


def _probe(variants: Path, model: Path) -> dict[str, object]:
    env = {**os.environ, gpu.VARIANTS_ENV: str(variants)}
    res = subprocess.run(
        [sys.executable, "-c", PROBE, str(model)],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert res.returncode == 0, res.stderr[-2000:]
    result: dict[str, object] = json.loads(res.stdout.strip().splitlines()[-1])
    return result


def test_a_variant_is_imported_from_its_folder(cuda_variant: Path, demo_model: Path) -> None:
    result = _probe(cuda_variant.parent, demo_model)
    assert Path(str(result["module"])).is_relative_to(cuda_variant)
    assert Path(str(result["library"])).is_relative_to(cuda_variant)
    # It is a CPU build in disguise: llama.cpp lists no GPU, and the worker says so.
    assert result["device"] == "cpu" and result["fallback"] is True
    assert result["note"] == "CPU: the CUDA build found no GPU it can use"
    assert result["facts"] == ["cpu", 0, "CPU: the CUDA build found no GPU it can use"]


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="breaks a Linux library")
def test_a_variant_that_cannot_load_falls_back_to_the_cpu_build(
    cuda_variant: Path, demo_model: Path
) -> None:
    # What a CUDA build does on a machine without the driver: its library will not load.
    (cuda_variant / "llama_cpp" / "lib" / "libllama.so").write_bytes(b"not a library")
    result = _probe(cuda_variant.parent, demo_model)
    assert not Path(str(result["module"])).is_relative_to(cuda_variant)
    assert not Path(str(result["library"])).is_relative_to(cuda_variant)
    assert result["device"] == "cpu" and result["fallback"] is True
    note = str(result["note"])
    assert note.startswith("CPU: the CUDA build could not be loaded (")
    assert "libllama.so" in note
    assert result["facts"] == ["cpu", 0, note]
