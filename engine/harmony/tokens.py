"""Special tokens of the o200k_harmony vocabulary that carry harmony's message structure.

The ids are fixed by the vocabulary shipped with gpt-oss; the text forms are what the tokenizer
turns into those ids when special tokens are parsed, and what a detokenizer prints for them.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

START: Final = 200006
END: Final = 200007
MESSAGE: Final = 200008
CHANNEL: Final = 200005
CONSTRAIN: Final = 200003
RETURN: Final = 200002
CALL: Final = 200012

START_TEXT: Final = "<|start|>"
END_TEXT: Final = "<|end|>"
MESSAGE_TEXT: Final = "<|message|>"
CHANNEL_TEXT: Final = "<|channel|>"
CONSTRAIN_TEXT: Final = "<|constrain|>"
RETURN_TEXT: Final = "<|return|>"
CALL_TEXT: Final = "<|call|>"

TEXT_OF: Final[dict[int, str]] = {
    START: START_TEXT,
    END: END_TEXT,
    MESSAGE: MESSAGE_TEXT,
    CHANNEL: CHANNEL_TEXT,
    CONSTRAIN: CONSTRAIN_TEXT,
    RETURN: RETURN_TEXT,
    CALL: CALL_TEXT,
}
ID_OF: Final[dict[str, int]] = {text: token for token, text in TEXT_OF.items()}

# o200k_base's ordinary tokens end at 199997; every id from here up (<|startoftext|>,
# <|endoftext|>, the harmony markers and the reserved slots) is a special token, never text.
FIRST_SPECIAL_ID: Final = 199998


def is_special(token: int) -> bool:
    """True for any special token id of o200k_harmony, including reserved and unused ones."""
    return token >= FIRST_SPECIAL_ID


def misplaced_markers(tokenize: Callable[[str], list[int]]) -> str:
    """Why a harmony model's tokenizer does not fit the parser, or "" when it does.

    The stream parser knows the markers by id, as the o200k_harmony vocabulary fixes them; a
    conversion that moved them would have its structure read as text, so it is refused at load.
    """
    for token, text in TEXT_OF.items():
        got = tokenize(text)
        if got != [token]:
            return (
                f"the model's tokenizer does not use the o200k_harmony ids: {text} is "
                f"{got} instead of [{token}]"
            )
    return ""
