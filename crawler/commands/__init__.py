"""One module per ``blogarchive`` subcommand: ``add_parser(subparsers)`` and ``run(args)``."""
