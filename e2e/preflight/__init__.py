"""Static rules over the repository model -> findings (pure functions, no I/O)."""
