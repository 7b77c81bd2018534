from cassibile.cli import main

raise SystemExit(main())
