from network.cli import main

raise SystemExit(main())
