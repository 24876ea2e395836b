"""Allow `python -m tuinews`."""

from tuinews.cli import main

raise SystemExit(main())
