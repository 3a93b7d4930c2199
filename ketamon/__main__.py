from ketamon.cli import main

raise SystemExit(main())
