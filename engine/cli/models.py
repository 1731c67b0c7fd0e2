"""``lanterna-engine models``: the installed models and the Hugging Face token.

Sub-commands::

    models list [--json]                       installed models (folder and imported)
    models import PATH [--copy]                validate, then register (or copy in) a model
    models remove NAME [--delete-file] [--yes] remove a model (asks first on a terminal)
    models token set|clear|status              the token for gated models, in the OS keyring

``models fit`` and ``models download`` are added by their own modules when installed.

The token is read from standard input — without echo on a terminal — and never from the
command line, where other users could read it in the process list and the shell's history.
"""

from __future__ import annotations

import argparse
import getpass
import importlib
import json
import sys
from typing import Any

from engine.cli.common import CliError
from engine.models import token as tokens
from engine.models.demo import demo_model_path
from engine.models.registry import (
    DuplicateModel,
    ImportRejected,
    InstalledModel,
    ModelRegistry,
    RegistryError,
)

# Sub-commands that live in their own modules; each exposes register(models_subparsers).
_PLUGINS = ("engine.cli.models_fit", "engine.cli.models_download")


def add_parser(sub: Any) -> None:
    ap: argparse.ArgumentParser = sub.add_parser(
        "models", help="list, import and remove models; the Hugging Face token"
    )
    models_sub = ap.add_subparsers(dest="models_command", required=True, metavar="COMMAND")

    p = models_sub.add_parser("list", help="the installed models")
    p.add_argument("--json", action="store_true", help="a JSON list of objects")
    p.set_defaults(func=run_list)

    p = models_sub.add_parser("import", help="validate a GGUF file or MLX folder and register it")
    p.add_argument("path", metavar="PATH")
    p.add_argument(
        "--copy",
        action="store_true",
        help="copy it into the models folder (default: use it where it is)",
    )
    p.set_defaults(func=run_import)

    p = models_sub.add_parser("remove", help="remove an installed model")
    p.add_argument("name", metavar="NAME")
    p.add_argument(
        "--delete-file",
        action="store_true",
        help="also delete an imported model's file (a model in the models folder is always "
        "deleted)",
    )
    p.add_argument("--yes", "-y", action="store_true", help="do not ask for confirmation")
    p.set_defaults(func=run_remove)

    p = models_sub.add_parser("token", help="the Hugging Face token for gated models")
    p.add_argument(
        "action",
        choices=("set", "clear", "status"),
        help="set (read from stdin), clear, or show where it is kept",
    )
    # Caught only to refuse it with a clear word, without echoing it back as argparse would.
    p.add_argument("value", nargs="?", help=argparse.SUPPRESS)
    p.set_defaults(func=run_token)

    for name in _PLUGINS:
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        module.register(models_sub)


def _size(n: int) -> str:
    value = float(n)
    for unit in ("B", "KB", "MB", "GB"):
        if value < 1000 or unit == "GB":
            return f"{value:.0f} {unit}" if unit == "B" else f"{value:.1f} {unit}"
        value /= 1000
    return f"{n} B"  # pragma: no cover


def _table(models: list[InstalledModel]) -> str:
    rows = [("NAME", "ARCH", "QUANT", "SIZE", "CONTEXT", "BACKEND", "PATH")]
    for m in models:
        path = str(m.path) + (f"  [{m.problem}]" if m.problem else "")
        rows.append(
            (
                m.name,
                (m.architecture or "?") + (" (embedding)" if m.embedding else ""),
                m.quantisation or "?",
                _size(m.size),
                str(m.context_length or "?"),
                m.backend + (" (imported)" if m.imported else ""),
                path,
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]) - 1)]
    return "\n".join(
        "  ".join(cell.ljust(w) for cell, w in zip(r[:-1], widths, strict=True)) + "  " + r[-1]
        for r in rows
    )


def run_list(args: argparse.Namespace) -> int:
    try:
        models = ModelRegistry().list_models()
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    if args.json:
        print(json.dumps([m.to_json() for m in models], ensure_ascii=False, indent=2))
    elif not models:
        print(f"no models installed (models folder: {ModelRegistry().models_folder})")
    else:
        print(_table(models))
    return 0


def run_import(args: argparse.Namespace) -> int:
    registry = ModelRegistry()
    try:
        model = registry.import_model(args.path, copy=args.copy)
    except ImportRejected as exc:
        raise CliError(f"cannot import {args.path}: {exc}") from None
    except DuplicateModel as exc:
        raise CliError(f"not imported: {exc}") from None
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    where = "copied into the models folder" if args.copy else "registered where it is"
    details = ", ".join(
        x for x in (model.architecture, model.quantisation, _size(model.size), model.backend) if x
    )
    print(f"imported '{model.name}' ({details}), {where}: {model.path}")
    return 0


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        raise CliError("not removing without confirmation: add --yes (stdin is not a terminal)", 2)
    try:
        answer = input(f"{question} [y/N] ")
    except EOFError:
        return False
    return answer.strip().lower() in ("y", "yes")


def run_remove(args: argparse.Namespace) -> int:
    registry = ModelRegistry()
    try:
        model = registry.get(args.name)
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    demo = demo_model_path(registry.models_folder).resolve()
    if not model.imported and model.path.resolve() == demo:
        # The window protects it too: it would come back at the next start anyway.
        raise CliError(
            f"'{model.name}' is the demo model that comes with Lanterna; it is put back whenever "
            "no other model is chosen, so it is not removed"
        )
    deletes = not model.imported or args.delete_file
    if deletes:
        question = f"Delete '{model.name}' ({_size(model.size)}) from disk: {model.path}?"
    else:
        question = f"Forget '{model.name}'? The file stays at {model.path}."
    if not args.yes and not _confirm(question):
        print("nothing removed")
        return 1
    try:
        registry.remove_model(args.name, delete_file=args.delete_file)
    except RegistryError as exc:
        raise CliError(str(exc)) from None
    print(f"{'deleted' if deletes else 'unregistered'} '{model.name}' ({model.path})")
    return 0


def _read_token() -> str:
    if sys.stdin.isatty():
        return getpass.getpass("Hugging Face token (input is hidden): ")
    # Piped in (a password manager, a CI secret): the first line.
    return sys.stdin.readline()


def run_token(args: argparse.Namespace) -> int:
    if args.value is not None:
        raise CliError(
            "the token is read from standard input, never from the command line (where the "
            "process list and the shell's history would keep it): run 'models token set' alone",
            2,
        )
    if args.action == "status":
        print(tokens.keyring_status())
        source = tokens.token_source()
        labels = {
            "keyring": "a token is stored in the keyring",
            "session": "a token is kept for this session",
            "environment": f"a token comes from the {tokens.ENV_VAR} environment variable",
        }
        print(labels[source] if source else "no token is set")
        return 0
    if args.action == "clear":
        try:
            removed = tokens.clear_token()
        except tokens.TokenError as exc:
            raise CliError(str(exc)) from None
        print("token removed" if removed else "no token was stored")
        if tokens.token_source() == "environment":
            print(f"note: {tokens.ENV_VAR} is still set in the environment")
        return 0
    try:
        store = tokens.set_token(_read_token())
    except tokens.TokenError as exc:
        raise CliError(str(exc)) from None
    if store == "session":
        # This process ends now, and with it the session: say so instead of pretending.
        raise CliError(
            f"{tokens.keyring_status()}, so the token was not saved (it would last only as "
            f"long as this command); set {tokens.ENV_VAR} in the environment instead"
        )
    print("token stored in the keyring")
    return 0
