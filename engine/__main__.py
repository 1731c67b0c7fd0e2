"""``python -m engine`` is the same as ``lanterna-engine`` (for working from a source tree)."""

from engine.cli.main import main

raise SystemExit(main())
