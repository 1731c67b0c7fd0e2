"""One short, non-streamed completion inside the worker: the reasoning summary and the guard
model's verdicts.

It goes through the same pieces as a chat answer (prompt rendering, special-text guard,
backend, router), so a summary or a verdict is produced exactly the way the model would answer
in a chat; only the ``final`` text is returned. The model's own reasoning while it writes the
summary or verdict is dropped here, in the worker, like all raw reasoning.
"""

from __future__ import annotations

from collections.abc import Sequence

from engine.backends.base import Backend, CancelFn, GenerationStats, ModelFacts, SamplingParams
from engine.conversation import ChatMessage, Effort
from engine.prompting import PromptPlan, build_prompt
from engine.routing import HarmonyRouter, Router, TemplateRouter
from engine.special_guard import SpecialTextGuard

GREEDY = SamplingParams(temperature=0.0, top_p=1.0, top_k=0, min_p=0.0)


def router_for(plan: PromptPlan, backend: Backend) -> Router:
    if plan.format == "harmony":
        return HarmonyRouter(backend.is_eog)
    return TemplateRouter(
        backend.is_eog,
        backend.is_control,
        think=plan.think_tags,
        starts_in_think=plan.starts_in_think,
        stop_strings=plan.stop_strings,
    )


def complete(
    backend: Backend,
    facts: ModelFacts,
    guard: SpecialTextGuard,
    messages: Sequence[ChatMessage],
    *,
    effort: Effort = "low",
    thinking: bool | None = None,
    max_tokens: int = 256,
    sampling: SamplingParams = GREEDY,
    cancelled: CancelFn = lambda: False,
) -> str:
    """The model's final answer to ``messages`` (empty if it wrote none within ``max_tokens``).

    Raises :class:`engine.backends.base.Cancelled` when ``cancelled`` turns true, and
    ``BackendError`` / ``ConversationError`` like a chat request would.
    """
    plan = build_prompt(facts, guard.protect_messages(messages), effort=effort, thinking=thinking)
    prompt = SpecialTextGuard.tokenize(
        plan.text, lambda text, bos: backend.tokenize(text, add_bos=bos), plan.add_bos
    )
    room = facts.n_ctx - len(prompt)
    if room < 1:
        return ""
    router = router_for(plan, backend)
    final: list[str] = []
    limit = min(max_tokens, room)
    for n, token in enumerate(backend.generate(prompt, sampling, cancelled, GenerationStats()), 1):
        final.extend(r.text for r in router.feed(token, backend.piece(token)) if r.kind == "final")
        if router.stop is not None or n >= limit:
            break
    final.extend(r.text for r in router.finish() if r.kind == "final")
    return "".join(final).strip()
