"""The stack on a cluster: Vault, ESO, Argo CD, the git server, Airflow. Install, configure, ready, diagnose."""
