"""gpt-oss's harmony prompt format: an offline renderer and a streaming output parser."""

from engine.harmony.parser import (
    MAX_HEADER_CHARS,
    HarmonyDelta,
    HarmonyEvent,
    HarmonyMessageEnd,
    HarmonyStreamParser,
    StopReason,
)
from engine.harmony.render import (
    HarmonyOptions,
    PromptPiece,
    render_for_completion,
    render_pieces_for_completion,
)
from engine.harmony.tokens import (
    CALL,
    CHANNEL,
    CONSTRAIN,
    END,
    MESSAGE,
    RETURN,
    START,
    is_special,
)

__all__ = [
    "CALL",
    "CHANNEL",
    "CONSTRAIN",
    "END",
    "MAX_HEADER_CHARS",
    "MESSAGE",
    "RETURN",
    "START",
    "HarmonyDelta",
    "HarmonyEvent",
    "HarmonyMessageEnd",
    "HarmonyOptions",
    "HarmonyStreamParser",
    "PromptPiece",
    "StopReason",
    "is_special",
    "render_for_completion",
    "render_pieces_for_completion",
]
