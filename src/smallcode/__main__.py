from smallcode.cli import main

raise SystemExit(main())
