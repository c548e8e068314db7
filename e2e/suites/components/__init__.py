"""Component tier: real PostgreSQL, Redis, sshd+git and the Airflow CLI on loopback."""
