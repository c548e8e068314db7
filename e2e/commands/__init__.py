"""One module per `airflow-e2e` subcommand: `add_arguments(parser)` and `run(args) -> exit code`."""
