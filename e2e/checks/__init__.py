"""Pure assertions over a timeline or a snapshot: ordering, secrets, jobs, git-sync, health."""
