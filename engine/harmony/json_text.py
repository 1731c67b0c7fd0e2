"""JSON values written the way the reference harmony renderer writes them in tool signatures.

The reference (Rust) receives a tool's JSON schema as JSON text and prints schema values such as
defaults with serde_json's compact ``Display``. Two details matter for byte-identical prompts:

- numbers go through serde_json's *fast* parser (its ``float_roundtrip`` feature is off), which
  computes ``significand * 10^exponent`` in floating point and so is sometimes one unit in the
  last place away from the correctly rounded value; integers wider than 64 bits become floats;
- floats are then printed by the ``ryu`` crate, whose layout differs from Python's ``repr``
  (``1e20`` not ``1e+20``, ``1e-7`` not ``1e-07``, ``100000000000000000.0`` for 1e17).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Final

_U64_MAX: Final = 2**64 - 1
_I64_MIN: Final = -(2**63)
_FLOAT_TEXT: Final = re.compile(r"(?P<whole>\d+)(?:\.(?P<fraction>\d+))?(?:e(?P<exp>[+-]?\d+))?")

_ESCAPES: Final = {
    '"': '\\"',
    "\\": "\\\\",
    "\b": "\\b",
    "\f": "\\f",
    "\n": "\\n",
    "\r": "\\r",
    "\t": "\\t",
}


def json_display(value: object) -> str:
    """Compact JSON: no spaces, non-ASCII kept as is, numbers as described in the module doc."""
    if value is None:
        return "null"
    if value is True:
        return "true"
    if value is False:
        return "false"
    if isinstance(value, int):
        return _int_display(value)
    if isinstance(value, float):
        return _float_display(_as_parsed_by_reference(value))
    if isinstance(value, str):
        return string_display(value)
    if isinstance(value, Mapping):
        items = (f"{string_display(str(k))}:{json_display(v)}" for k, v in value.items())
        return "{" + ",".join(items) + "}"
    if isinstance(value, list | tuple):
        return "[" + ",".join(json_display(v) for v in value) + "]"
    return string_display(str(value))


def string_display(text: str) -> str:
    out = ['"']
    for char in text:
        escaped = _ESCAPES.get(char)
        if escaped is not None:
            out.append(escaped)
        elif ord(char) < 0x20:
            out.append(f"\\u{ord(char):04x}")
        else:
            out.append(char)
    out.append('"')
    return "".join(out)


def _int_display(value: int) -> str:
    # serde_json keeps integers that fit u64 (or, when negative, i64) exact.
    if _I64_MIN <= value <= _U64_MAX:
        return str(value)
    magnitude = str(abs(value))
    significand, dropped = _leading_digits(magnitude)
    return _float_display(_from_parts(value < 0, significand, dropped))


def _as_parsed_by_reference(value: float) -> float:
    """``value`` after the trip through Python's ``json.dumps`` and serde_json's parser."""
    if not math.isfinite(value):
        return value
    match = _FLOAT_TEXT.fullmatch(repr(abs(value)))
    if match is None:  # pragma: no cover - repr of a finite float always matches
        return value
    fraction = match["fraction"] or ""
    significand, dropped = _leading_digits(match["whole"] + fraction)
    exponent = int(match["exp"] or 0) - len(fraction) + dropped
    return _from_parts(math.copysign(1.0, value) < 0, significand, exponent)


def _leading_digits(digits: str) -> tuple[int, int]:
    """The digits that fit a u64 as an integer, and how many digits did not fit."""
    significand = 0
    for index, char in enumerate(digits):
        candidate = significand * 10 + int(char)
        if candidate > _U64_MAX:
            return significand, len(digits) - index
        significand = candidate
    return significand, 0


def _from_parts(negative: bool, significand: int, exponent: int) -> float:
    """serde_json's fast ``significand * 10^exponent``: one rounding per step, not one overall."""
    result = float(significand)
    while abs(exponent) > 308:
        if result == 0.0:
            exponent = 0
            break
        if exponent > 0:
            result = math.inf  # serde_json rejects the number; nothing to match
            exponent = 0
            break
        result /= 1e308
        exponent += 308
    power = float(f"1e{abs(exponent)}")
    result = result * power if exponent >= 0 else result / power
    return -result if negative else result


def _float_display(value: float) -> str:
    """A float as the ``ryu`` crate prints it: shortest round-trip digits, ryu's layout."""
    if not math.isfinite(value):
        return "null"  # serde_json cannot hold NaN or infinities and writes null
    sign = "-" if math.copysign(1.0, value) < 0 else ""
    match = _FLOAT_TEXT.fullmatch(repr(abs(value)))
    if match is None:  # pragma: no cover - repr of a finite float always matches
        return repr(value)
    whole, fraction = match["whole"], (match["fraction"] or "").rstrip("0")
    all_digits = whole + fraction
    digits = all_digits.lstrip("0")
    if not digits:
        return f"{sign}0.0"
    # ``point``: where the decimal point sits, counted in digits from the first significant one.
    point = len(whole) - (len(all_digits) - len(digits)) + int(match["exp"] or 0)
    length = len(digits)
    if length <= point <= 16:
        body = digits + "0" * (point - length) + ".0"
    elif 0 < point <= 16:
        body = f"{digits[:point]}.{digits[point:]}"
    elif -5 < point <= 0:
        body = "0." + "0" * -point + digits
    elif length == 1:
        body = f"{digits}e{point - 1}"
    else:
        body = f"{digits[0]}.{digits[1:]}e{point - 1}"
    return sign + body
