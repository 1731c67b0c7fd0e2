"""``lanterna-engine prompt``: print the exact text a model would receive, specials visible."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from engine.cli.common import CliError, load_messages, load_tools, resolve_model
from engine.conversation import EFFORTS
from engine.harmony.render import HarmonyOptions, render_for_completion
from engine.prompting import build_prompt, facts_from_header, is_date, today
from engine.templates import TemplateError


def add_parser(sub: Any) -> None:
    ap: argparse.ArgumentParser = sub.add_parser(
        "prompt", help="print the exact prompt text a model would receive"
    )
    ap.add_argument("prompt", nargs="?", help="the user message (default: read stdin)")
    which = ap.add_mutually_exclusive_group()
    which.add_argument("--model", help="a .gguf file: use its format (default: the demo model)")
    which.add_argument("--format", choices=["harmony"], help="render harmony (gpt-oss) directly")
    ap.add_argument("--effort", choices=EFFORTS, default="medium")
    ap.add_argument("--date", help="current date for harmony, YYYY-MM-DD (default: today)")
    ap.add_argument("--conversation", metavar="FILE.json", help="earlier turns, as JSON")
    ap.add_argument("--tools", metavar="FILE.json", help="function tools offered to the model")
    ap.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    messages = load_messages(args.conversation, args.prompt)
    tools = load_tools(args.tools)
    if args.date is not None and not is_date(args.date):
        raise CliError("--date must be a real date written YYYY-MM-DD")
    if args.format == "harmony":
        options = HarmonyOptions(effort=args.effort, date=args.date or today(), tools=tuple(tools))
        try:
            text = render_for_completion(messages, options)
        except ValueError as exc:  # e.g. a tool result without the tool's name
            raise CliError(str(exc)) from None
    else:
        facts = facts_from_header(resolve_model(args.model))
        try:
            plan = build_prompt(facts, messages, effort=args.effort, tools=tools, date=args.date)
        except TemplateError as exc:
            raise CliError(f"the model's chat template failed: {exc}") from None
        except ValueError as exc:
            raise CliError(str(exc)) from None
        # The tokenizer adds BOS itself in this case; show it, since the model receives it.
        text = (facts.bos_text if plan.add_bos else "") + plan.text
    sys.stdout.write(text)
    if sys.stdout.isatty():
        sys.stdout.write("\n")
    return 0
