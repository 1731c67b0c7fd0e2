"""How the llama.cpp backend lays out its KV cache: one rule shared by loading and the fit estimate.

Sliding-window layers (gpt-oss alternates them with full-attention layers; Gemma 3 has five to
each full one) only ever attend to the last few hundred tokens, so llama.cpp can keep just that
window for them. The price is prompt reuse: once a layer has dropped old positions, the cache
cannot be cut back to an earlier point of the conversation and continued from there. A harmony
chat does exactly that on every turn (the previous turn's reasoning is dropped from the next
prompt), so with a windowed cache each follow-up question re-reads the whole conversation.

The rule: keep the full-size cache while it is cheap (up to 32k tokens, where it costs
gpt-oss-20b 768 MiB more than the windowed one) so follow-ups stay instant, and switch to the
windowed cache for longer contexts, where the full one would cost gigabytes (3 GiB at 128k).

Flash attention is on: llama.cpp's CPU kernels read prompts faster with it (measured on the demo
model: about 1.3x prompt tokens/s, decode unchanged), and it removes the attention-scores
scratch that otherwise grows with the context (gigabytes at 128k).
"""

from __future__ import annotations

FULL_SWA_MAX_CTX = 32768
FLASH_ATTENTION = True


def use_full_swa_cache(n_ctx: int) -> bool:
    """Whether a context of ``n_ctx`` tokens keeps every token in its sliding-window layers."""
    return n_ctx <= FULL_SWA_MAX_CTX
