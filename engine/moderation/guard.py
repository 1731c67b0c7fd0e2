"""The optional guard layer: a classifier model judges each reasoning segment against a policy.

Any GGUF chat model can serve (gpt-oss-safeguard-20b is made for this; a small instruction model
works too). It runs through the same backend and prompt machinery as a chat, with the policy in
``resources/moderation/guard_policy.md``, and must answer with one line of JSON. The verdict is
parsed strictly: anything else (prose, extra keys, unknown categories, a contradiction) raises
:class:`GuardFormatError`, and the pipeline withholds the segment — a guard that cannot be
understood must not let text through.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from engine.backends.base import Backend, BackendError, CancelFn, LoadParams, ModelFacts
from engine.completion import complete
from engine.conversation import ChatMessage
from engine.moderation.lexicon import CATEGORIES
from engine.moderation.pipeline import GuardFormatError, GuardVerdict
from engine.prompting import prompt_format
from engine.resources import resource
from engine.special_guard import SpecialTextGuard

GUARD_CTX = 4096
# Enough for a low-effort harmony analysis and the one-line verdict after it.
GUARD_MAX_TOKENS = 384
_KEYS = frozenset({"violation", "categories"})


def load_policy() -> str:
    return resource("moderation", "guard_policy.md").read_text(encoding="utf-8")


def parse_verdict(answer: str) -> GuardVerdict:
    """``{"violation": 0}`` or ``{"violation": 1, "categories": [...]}``, nothing else."""
    text = answer.strip()
    try:
        obj = json.loads(text)
    except json.JSONDecodeError:
        raise GuardFormatError(f"not a JSON verdict: {text[:80]!r}") from None
    if not isinstance(obj, dict) or "violation" not in obj or not set(obj) <= _KEYS:
        raise GuardFormatError("a verdict has 'violation' and optionally 'categories'")
    violation = obj["violation"]
    if type(violation) is not int or violation not in (0, 1):
        raise GuardFormatError("'violation' must be 0 or 1")
    categories = obj.get("categories", [])
    if not isinstance(categories, list) or not all(c in CATEGORIES for c in categories):
        raise GuardFormatError(f"'categories' must be a list of: {', '.join(CATEGORIES)}")
    if violation == 0 and categories:
        raise GuardFormatError("a verdict without violation names no categories")
    return GuardVerdict(violation == 1, tuple(dict.fromkeys(categories)))


class GuardModel:
    """A loaded guard model; ``classify`` is called from one thread at a time."""

    def __init__(self, backend: Backend, facts: ModelFacts, policy: str) -> None:
        self._backend = backend
        self._facts = facts
        self._policy = policy
        self._special = SpecialTextGuard(backend.special_texts())
        self.cancelled: CancelFn = lambda: False

    @classmethod
    def open(cls, backend: Backend, path: Path, n_threads: int | None = None) -> GuardModel:
        """Load ``path`` into ``backend`` (a backend of its own, not the chat model's)."""
        facts = backend.load(LoadParams(path=path, n_ctx=GUARD_CTX, n_threads=n_threads), _go_on)
        return cls(backend, facts, load_policy())

    def _messages(self, text: str) -> list[ChatMessage]:
        passage = f"Passage to classify:\n<<<\n{text}\n>>>"
        if prompt_format(self._facts) == "harmony":
            # Harmony models take a policy as developer instructions.
            return [ChatMessage("developer", self._policy), ChatMessage("user", passage)]
        # Many templates refuse a system role (Gemma); one user turn works everywhere.
        return [ChatMessage("user", f"{self._policy}\n\n{passage}")]

    def classify(self, text: str) -> GuardVerdict:
        answer = complete(
            self._backend,
            self._facts,
            self._special,
            self._messages(text),
            effort="low",
            thinking=False,
            max_tokens=GUARD_MAX_TOKENS,
            cancelled=self.cancelled,
        )
        return parse_verdict(answer)

    def close(self) -> None:
        self._backend.close()


def _go_on(_fraction: float) -> bool:
    return True


@dataclass(frozen=True)
class GuardLoad:
    """What became of a request for a guard model: ``state`` is "off" (none asked for),
    "ready", "missing" or "failed"; ``message`` says it in words."""

    state: str
    message: str = ""
    model: GuardModel | None = None


def load_guard(
    path: str | None, make_backend: Callable[[], Backend], n_threads: int | None = None
) -> GuardLoad:
    """Load the guard model at ``path``; a missing or broken one is reported, not raised, so the
    other layers can go on filtering."""
    if not path:
        return GuardLoad("off")
    file = Path(path)
    if not file.is_file():
        return GuardLoad(
            "missing",
            f"the guard model is not installed ({file}); reasoning is filtered by the lexical "
            "and PII layers only",
        )
    try:
        model = GuardModel.open(make_backend(), file, n_threads)
    except BackendError as exc:
        return GuardLoad("failed", f"the guard model could not be loaded: {exc}")
    return GuardLoad("ready", f"guard model {file.name} loaded", model)
