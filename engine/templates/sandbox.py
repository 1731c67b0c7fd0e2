"""The environment chat templates render in: Jinja's immutable sandbox, under limits.

The environment also provides what transformers gives templates (``raise_exception``,
``strftime_now``, its ``tojson``, loop controls, ``{% generation %}``, ``trim_blocks`` and
``lstrip_blocks``); :mod:`engine.templates.chat` describes how a conversation is handed over.

Templates come from downloaded files, so they run in Jinja's immutable sandbox (no attribute
starting with ``_``, no mutation of lists or dicts) and under limits, checked as the template runs
(:class:`RenderLimits`, defaults in brackets):

- ``max_template_chars`` [256 KiB]: the template source. Real templates are a few KiB.
- ``max_output_chars`` [4 MiB]: the rendered prompt, and any single string, list or dict the
  template builds with an operator, ``~``, a filter or a method call. Operations whose result
  size an argument sets (repetition, ``%`` and ``format`` widths, ``center``, ``ljust``,
  ``replace``, ``join``…) are refused *before* they allocate.
- ``max_written_chars`` [16 MiB]: all text the template writes, counting text written inside
  macros and ``{% set %}`` blocks each time, so a macro cannot build a huge string out of sight.
- ``max_loop_iterations`` [1,000,000]: iterations of all ``{% for %}`` loops together, recursive
  loops included (``range`` also stays capped at 100,000 items by the sandbox).
- ``max_seconds`` [5 s]: wall time, checked at every loop step, call, filter, operator and write.

Beyond those: integers may not exceed 65,536 bits; ``batch``/``slice`` counts and list ``sum``
lengths are capped at 100,000 and 10,000; filters with quadratic worst cases (``striptags``,
``urlize``, ``wordwrap``) accept at most 64 KiB; ``tojson`` indents at most 64; ``lipsum`` is
removed. A limit that trips raises :class:`TemplateLimitError`. These checks are cooperative: a
single built-in operation between two checks still runs to its end, which the size checks keep
short. The last line of defence is that templates are rendered in the worker process, whose death
never takes the app down.
"""

from __future__ import annotations

import json
import re
import string
import time
from collections.abc import Callable, Iterator, Mapping, Sequence, Sized
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache, wraps
from typing import Any, NoReturn, cast

from jinja2 import Environment, Template, nodes
from jinja2.ext import Extension, LoopControlExtension
from jinja2.parser import Parser
from jinja2.runtime import Context, LoopContext
from jinja2.sandbox import ImmutableSandboxedEnvironment
from jinja2.visitor import NodeTransformer

from engine.templates.errors import TemplateLimitError, TemplateRaisedError


@dataclass(frozen=True)
class RenderLimits:
    """Bounds on one render; see the module docstring for what each one covers."""

    max_template_chars: int = 256 * 1024
    max_output_chars: int = 4 * 1024 * 1024
    max_written_chars: int = 16 * 1024 * 1024
    max_loop_iterations: int = 1_000_000
    max_seconds: float = 5.0


DEFAULT_LIMITS = RenderLimits()

_MAX_INT_BITS = 1 << 16
_MAX_COUNT_ARGUMENT = 100_000
_MAX_SEQUENCE_SUM = 10_000
_MAX_SLOW_FILTER_INPUT = 64 * 1024
_MAX_JSON_INDENT = 64


# -- limits ---------------------------------------------------------------------------------------


def _weight(value: object, limit: int) -> int:
    """Rough rendered size of ``value``; stops counting once it passes ``limit``.

    Containers count their length plus their contents, so a list of many references to one big
    string weighs what printing it would cost. Counting stops early, which also bounds the time
    spent on shared or deeply nested structures.
    """
    total = 0
    stack: list[object] = [value]
    while stack:
        item = stack.pop()
        if isinstance(item, str | bytes | bytearray):
            total += len(item)
        elif isinstance(item, Mapping):
            total += len(item)
            if total > limit:
                return total
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list | tuple | set | frozenset):
            total += len(item)
            if total > limit:
                return total
            stack.extend(item)
        else:
            total += 1
        if total > limit:
            return total
    return total


class _Budget:
    """The running account of one render; hooks find it through a context variable."""

    def __init__(self, limits: RenderLimits) -> None:
        self.limits = limits
        self.deadline = time.monotonic() + limits.max_seconds
        self.iterations = 0
        self.written = 0

    def tick(self) -> None:
        if time.monotonic() > self.deadline:
            raise TemplateLimitError(f"rendering took longer than {self.limits.max_seconds:g} s")

    def iteration(self) -> None:
        self.iterations += 1
        if self.iterations > self.limits.max_loop_iterations:
            raise TemplateLimitError(
                f"loops ran more than {self.limits.max_loop_iterations} iterations"
            )
        self.tick()

    def wrote(self, size: int) -> None:
        self.written += size
        if self.written > self.limits.max_written_chars:
            raise TemplateLimitError(
                f"the template wrote more than {self.limits.max_written_chars} characters"
            )
        self.tick()

    def allow(self, size: int, what: str) -> None:
        """Refuse an operation whose result would have ``size`` characters (or items)."""
        if size > self.limits.max_output_chars:
            raise TemplateLimitError(
                f"{what} would have {size} characters (limit {self.limits.max_output_chars})"
            )

    def check(self, value: object) -> None:
        if isinstance(value, int) and value.bit_length() > _MAX_INT_BITS:
            raise TemplateLimitError(f"an integer grew beyond {_MAX_INT_BITS} bits")
        size = _weight(value, self.limits.max_output_chars)
        if size > self.limits.max_output_chars:
            raise TemplateLimitError(
                f"the template built a value of more than {self.limits.max_output_chars} characters"
            )


_ACTIVE_BUDGET: ContextVar[_Budget | None] = ContextVar("lanterna_template_budget", default=None)


def _budget() -> _Budget:
    # Outside a render (Jinja folds constant filter calls while compiling) the static size checks
    # still apply; a fresh account with the default limits provides them.
    return _ACTIVE_BUDGET.get() or _Budget(DEFAULT_LIMITS)


_PERCENT_SPEC = re.compile(r"%(?:\([^)]*\))?[-#0 +]*(\*|\d*)(?:\.(\*|\d*))?")
_DIGITS = re.compile(r"\d+")


def _width(digits: str) -> int:
    # int() refuses strings of thousands of digits; any width that long is too big anyway.
    return int(digits) if len(digits) < 19 else 1 << 63


def _check_percent_format(fmt: str, budget: _Budget) -> None:
    # "%099999999d" % 1 allocates its whole width at once, so widths are checked beforehand.
    for match in _PERCENT_SPEC.finditer(fmt):
        for width in match.groups():
            if width == "*":
                raise TemplateLimitError("'*' widths in % formatting are not supported")
            if width:
                budget.allow(_width(width), "a % format width")


def _check_brace_format(fmt: str, budget: _Budget) -> None:
    try:
        fields = list(string.Formatter().parse(fmt))
    except ValueError:
        return  # the call itself reports the malformed format string
    for _literal, _field, spec, _conversion in fields:
        if not spec:
            continue
        if "{" in spec:
            raise TemplateLimitError("nested fields in format specifications are not supported")
        for width in _DIGITS.findall(spec):
            budget.allow(_width(width), "a format width")


def _argument(args: Sequence[Any], kwargs: Mapping[str, Any], index: int, name: str) -> Any:
    if len(args) > index:
        return args[index]
    return kwargs.get(name)


def _check_replace(text: object, old: object, new: object, count: object, budget: _Budget) -> None:
    if not (isinstance(text, str) and isinstance(old, str) and isinstance(new, str)):
        return
    hits = text.count(old) if old else len(text) + 1
    if isinstance(count, int) and count >= 0:
        hits = min(hits, count)
    budget.allow(len(text) + hits * (len(new) - len(old)), "replace()")


def _check_join(separator: object, items: object, budget: _Budget) -> object:
    """Check a join up front; returns the items, materialised when they were an iterator."""
    if not isinstance(items, Sized):
        # An iterator has no length to check; taking it into a list costs only its items.
        items = list(cast(Iterator[Any], items))
    if isinstance(separator, str):
        budget.allow(len(items) * len(separator), "join()")
    return items


def _check_slow_input(value: object, what: str) -> None:
    if isinstance(value, str) and len(value) > _MAX_SLOW_FILTER_INPUT:
        raise TemplateLimitError(
            f"{what} accepts at most {_MAX_SLOW_FILTER_INPUT} characters (it is quadratic)"
        )


def _check_count(value: object, what: str) -> None:
    if isinstance(value, int) and value > _MAX_COUNT_ARGUMENT:
        raise TemplateLimitError(f"{what} is capped at {_MAX_COUNT_ARGUMENT}")


def _check_method_call(
    method: Any, args: tuple[Any, ...], kwargs: Mapping[str, Any], budget: _Budget
) -> tuple[Any, ...]:
    """Checks for methods whose result size is set by an argument; may return new arguments."""
    name = getattr(method, "__name__", "")
    owner = getattr(method, "__self__", None)
    if owner is None:  # the sandbox hands out str.format wrapped in a plain function
        owner = getattr(getattr(method, "__wrapped__", None), "__self__", None)
    if isinstance(owner, str | bytes | bytearray):
        if name in ("center", "ljust", "rjust", "zfill"):
            width = _argument(args, kwargs, 0, "width")
            if isinstance(width, int):
                budget.allow(width, f"{name}()")
        elif name == "expandtabs":
            tabsize = _argument(args, kwargs, 0, "tabsize")
            tabs = owner.count("\t") if isinstance(owner, str) else owner.count(b"\t")
            if isinstance(tabsize, int):
                budget.allow(len(owner) + tabs * tabsize, "expandtabs()")
        elif name == "replace" and isinstance(owner, str):
            _check_replace(
                owner,
                _argument(args, kwargs, 0, "old"),
                _argument(args, kwargs, 1, "new"),
                _argument(args, kwargs, 2, "count"),
                budget,
            )
        elif name == "join" and args:
            args = (_check_join(owner, args[0], budget), *args[1:])
        elif name in ("format", "format_map") and isinstance(owner, str):
            _check_brace_format(owner, budget)
        elif name == "translate":
            table = _argument(args, kwargs, 0, "table")
            if isinstance(table, Mapping):
                longest = max((len(v) for v in table.values() if isinstance(v, str)), default=1)
                budget.allow(len(owner) * longest, "translate()")
        elif name == "striptags":
            _check_slow_input(owner, "striptags")
    elif isinstance(owner, int) and name == "to_bytes":
        length = _argument(args, kwargs, 0, "length")
        if isinstance(length, int):
            budget.allow(length, "to_bytes()")
    return args


# Each pre-check gets the filter's own arguments (value first), may replace them, and raises
# TemplateLimitError when the result would be too big or too slow to make.
_FilterCheck = Callable[[list[Any], dict[str, Any], _Budget], None]


def _filter_center(args: list[Any], kwargs: dict[str, Any], budget: _Budget) -> None:
    width = _argument(args, kwargs, 1, "width")
    if isinstance(width, int):
        budget.allow(width, "center")


def _filter_indent(args: list[Any], kwargs: dict[str, Any], budget: _Budget) -> None:
    text, width = args[0], _argument(args, kwargs, 1, "width")
    if isinstance(text, str):
        per_line = width if isinstance(width, int) else len(str(width if width is not None else 4))
        budget.allow(len(text) + (text.count("\n") + 1) * per_line, "indent")


def _filter_format(args: list[Any], kwargs: dict[str, Any], budget: _Budget) -> None:
    if isinstance(args[0], str):
        _check_percent_format(args[0], budget)


def _filter_replace(args: list[Any], kwargs: dict[str, Any], budget: _Budget) -> None:
    _check_replace(
        args[0],
        _argument(args, kwargs, 1, "old"),
        _argument(args, kwargs, 2, "new"),
        _argument(args, kwargs, 3, "count"),
        budget,
    )


def _filter_join(args: list[Any], kwargs: dict[str, Any], budget: _Budget) -> None:
    args[0] = _check_join(_argument(args, kwargs, 1, "d") or "", args[0], budget)


def _filter_batch(args: list[Any], kwargs: dict[str, Any], budget: _Budget) -> None:
    _check_count(_argument(args, kwargs, 1, "linecount"), "batch size")


def _filter_slice(args: list[Any], kwargs: dict[str, Any], budget: _Budget) -> None:
    _check_count(_argument(args, kwargs, 1, "slices"), "slice count")


def _filter_sum(args: list[Any], kwargs: dict[str, Any], budget: _Budget) -> None:
    # Summing sequences copies the running total at every step: quadratic in the item count.
    start = _argument(args, kwargs, 2, "start")
    if isinstance(start, list | tuple | str):
        items = args[0] if isinstance(args[0], Sized) else list(args[0])
        args[0] = items
        if len(items) > _MAX_SEQUENCE_SUM:
            raise TemplateLimitError(f"sum of sequences is capped at {_MAX_SEQUENCE_SUM} items")


def _slow_filter(name: str) -> _FilterCheck:
    def check(args: list[Any], kwargs: dict[str, Any], budget: _Budget) -> None:
        _check_slow_input(args[0], name)

    return check


_FILTER_CHECKS: dict[str, _FilterCheck] = {
    "center": _filter_center,
    "indent": _filter_indent,
    "format": _filter_format,
    "replace": _filter_replace,
    "join": _filter_join,
    "batch": _filter_batch,
    "slice": _filter_slice,
    "sum": _filter_sum,
    "striptags": _slow_filter("striptags"),
    "urlize": _slow_filter("urlize"),
    "wordwrap": _slow_filter("wordwrap"),
}


def _guard_filter(name: str, func: Callable[..., Any]) -> Callable[..., Any]:
    check = _FILTER_CHECKS.get(name)
    # Filters marked pass_context/pass_eval_context/pass_environment receive that object first.
    skip = 1 if getattr(func, "jinja_pass_arg", None) is not None else 0

    @wraps(func)  # also copies the jinja_pass_arg marker, so Jinja keeps passing the context
    def guarded(*args: Any, **kwargs: Any) -> Any:
        budget = _budget()
        budget.tick()
        if check is not None and len(args) > skip:
            own = list(args[skip:])
            check(own, kwargs, budget)
            args = (*args[:skip], *own)
        result = func(*args, **kwargs)
        budget.check(result)
        return result

    return guarded


# -- the environment ------------------------------------------------------------------------------


def _raise_exception(message: object) -> NoReturn:
    raise TemplateRaisedError(str(message))


def _now() -> datetime:
    return datetime.now()


def _strftime_now(format: str) -> str:
    return _now().strftime(format)


def _tojson(
    value: Any,
    ensure_ascii: bool = False,
    indent: int | str | None = None,
    separators: tuple[str, str] | None = None,
    sort_keys: bool = False,
) -> str:
    # transformers' tojson: plain json.dumps, so non-ASCII text stays readable and "<", ">", "&"
    # are not escaped as Jinja's HTML-minded tojson would. Models were trained on this output.
    if (isinstance(indent, int) and indent > _MAX_JSON_INDENT) or (
        isinstance(indent, str) and len(indent) > _MAX_JSON_INDENT
    ):
        raise TemplateLimitError(f"tojson indent is capped at {_MAX_JSON_INDENT}")
    return json.dumps(
        value, ensure_ascii=ensure_ascii, indent=indent, separators=separators, sort_keys=sort_keys
    )


class _GenerationBlock(Extension):
    """``{% generation %}…{% endgeneration %}``: transformers marks training targets with it;
    for inference it only renders its body."""

    def __init__(self, environment: Environment) -> None:
        super().__init__(environment)
        self.tags = {"generation"}

    def parse(self, parser: Parser) -> list[nodes.Node]:
        next(parser.stream)
        return parser.parse_statements(("name:endgeneration",), drop_needle=True)


def _environment_call(method: str, argument: nodes.Expr, lineno: int) -> nodes.Call:
    target = nodes.EnvironmentAttribute(method, lineno=lineno)
    return nodes.Call(target, [argument], [], None, None, lineno=lineno)


class _InsertGuards(NodeTransformer):
    """Route loops, output and ``~`` through the environment's guard methods.

    The sandbox has hooks for calls, attributes and operators but none for iteration, output
    or concatenation, which are exactly what an endless loop or a doubling string uses. The
    guards are reached as environment attributes, which a template cannot shadow or reach.
    """

    def visit_For(self, node: nodes.For, *args: Any, **kwargs: Any) -> nodes.Node:
        self.generic_visit(node, *args, **kwargs)
        node.iter = _environment_call("guard_iterate", cast(nodes.Expr, node.iter), node.lineno)
        return node

    def visit_Output(self, node: nodes.Output, *args: Any, **kwargs: Any) -> nodes.Node:
        self.generic_visit(node, *args, **kwargs)
        node.nodes = [_environment_call("guard_write", child, node.lineno) for child in node.nodes]
        return node

    def visit_Concat(self, node: nodes.Concat, *args: Any, **kwargs: Any) -> nodes.Node:
        self.generic_visit(node, *args, **kwargs)
        return _environment_call("guard_value", node, node.lineno)


class _GuardedEnvironment(ImmutableSandboxedEnvironment):
    # Every operator goes through call_binop, so repetition, powers and % formatting are checked
    # (and intercepted operators are never folded at compile time, where no checks would run).
    intercepted_binops = frozenset({"+", "-", "*", "/", "//", "%", "**"})

    def __init__(self) -> None:
        super().__init__(
            trim_blocks=True,
            lstrip_blocks=True,
            extensions=[LoopControlExtension, _GenerationBlock],
        )
        self.globals.pop("lipsum", None)  # lipsum(10**9) is a memory bomb no template needs
        self.globals["raise_exception"] = _raise_exception
        self.globals["strftime_now"] = _strftime_now
        self.filters["tojson"] = _tojson
        self.filters = {name: _guard_filter(name, f) for name, f in self.filters.items()}

    def guard_iterate(self, iterable: Any) -> Iterator[Any]:
        budget = _budget()
        for item in iterable:
            budget.iteration()
            yield item

    def guard_write(self, value: Any) -> str:
        text = value if isinstance(value, str) else str(value)
        _budget().wrote(len(text))
        return text

    def guard_value(self, value: Any) -> Any:
        budget = _budget()
        budget.tick()
        budget.check(value)
        return value

    def call_binop(self, context: Context, operator: str, left: Any, right: Any) -> Any:
        budget = _budget()
        budget.tick()
        if operator == "*":
            for sequence, count in ((left, right), (right, left)):
                if isinstance(sequence, str | bytes | list | tuple) and isinstance(count, int):
                    limit = budget.limits.max_output_chars
                    budget.allow(_weight(sequence, limit) * count, "repetition")
            if (
                isinstance(left, int)
                and isinstance(right, int)
                and left.bit_length() + right.bit_length() > _MAX_INT_BITS
            ):
                raise TemplateLimitError(f"an integer would exceed {_MAX_INT_BITS} bits")
        elif operator == "**":
            if (
                isinstance(left, int)
                and isinstance(right, int)
                and right > 0
                and abs(left) > 1
                and left.bit_length() * right > _MAX_INT_BITS
            ):
                raise TemplateLimitError(f"an integer would exceed {_MAX_INT_BITS} bits")
        elif operator == "%" and isinstance(left, str):
            _check_percent_format(left, budget)
        result = super().call_binop(context, operator, left, right)
        budget.check(result)
        return result

    def call(self, context: Context, obj: Any, /, *args: Any, **kwargs: Any) -> Any:
        # Positional-only, like the parent's double-underscore names: every keyword belongs to
        # the callee.
        budget = _budget()
        budget.tick()
        if isinstance(obj, LoopContext) and args:
            # loop(children) in a recursive for-loop iterates outside any {% for %} tag.
            args = (self.guard_iterate(args[0]), *args[1:])
        else:
            args = _check_method_call(obj, args, kwargs, budget)
        result = super().call(context, obj, *args, **kwargs)
        budget.check(result)
        return result


_ENVIRONMENT = _GuardedEnvironment()


@lru_cache(maxsize=16)
def _compile(source: str) -> Template:
    tree = _ENVIRONMENT.parse(source)
    tree = cast(nodes.Template, _InsertGuards().visit(tree))
    tree.set_environment(_ENVIRONMENT)
    return _ENVIRONMENT.from_string(tree)
