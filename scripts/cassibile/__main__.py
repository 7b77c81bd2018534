"""`python -m cassibile`: the command line."""

from cassibile.cli import main

raise SystemExit(main())
