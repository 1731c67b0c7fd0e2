"""``lanterna-engine``: the headless engine from the command line."""

from __future__ import annotations

import argparse
import multiprocessing
import os
import sys

from engine.cli import bench, chat, docs, models, moderate, prompt
from engine.cli.common import CliError
from engine.client import WorkerStartError
from engine.launcher import maybe_run_worker


def build_parser() -> argparse.ArgumentParser:
    ap = argparse.ArgumentParser(
        prog="lanterna-engine",
        description="Run local reasoning models from the command line (Lanterna's engine).",
    )
    sub = ap.add_subparsers(dest="command", required=True)
    chat.add_parser(sub)
    prompt.add_parser(sub)
    bench.add_parser(sub)
    moderate.add_parser(sub)
    models.add_parser(sub)
    docs.add_parser(sub)
    return ap


def main(argv: list[str] | None = None) -> int:
    multiprocessing.freeze_support()  # a frozen build's document-reader child starts here
    maybe_run_worker(sys.argv if argv is None else ["lanterna-engine", *argv])
    args = build_parser().parse_args(argv)
    try:
        code: int = args.func(args)
    except CliError as exc:
        print(f"lanterna-engine: error: {exc}", file=sys.stderr)
        return exc.code
    except WorkerStartError as exc:
        print(f"lanterna-engine: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        print("lanterna-engine: interrupted", file=sys.stderr)
        return 130
    except BrokenPipeError:
        # The reader went away (`… | head`): nothing more to say, and nobody to say it to.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    return code


if __name__ == "__main__":
    raise SystemExit(main())
