"""The component tier's check names: one owner, below the tier that runs them (e2e/components) and the
scenarios that name them as counterparts. Why constants: a misspelt check is a NameError/ImportError at import,
never a string a report shows and nothing runs. The strings are the contract (results.json, `--only`,
`caught_earlier_by`)."""

MIGRATION_FAILS_BEFORE = "migration.check-fails-before-migrate"
MIGRATION_MIGRATE = "migration.migrate"
MIGRATION_PASSES_AFTER = "migration.check-passes-after-migrate"
USER_JOB_SUCCEEDS = "user-job.script-succeeds"
USER_JOB_PASSWORD = "user-job.password-authenticates"
USER_JOB_IDEMPOTENT = "user-job.second-run-idempotent"
USER_JOB_BROKEN_CONNECTION = "user-job.broken-connection-fails-visibly"
BROKER_URL = "broker.url-authenticates"
GIT_SYNC_CLONE = "git-sync.clone-with-known-hosts"
GIT_SYNC_WRONG_KEY = "git-sync.refuses-wrong-host-key"
GIT_SYNC_PLACEHOLDER = "git-sync.refuses-placeholder-known-hosts"
GIT_SYNC_EMPTY = "git-sync.refuses-empty-known-hosts"
FERNET_STABILITY = "fernet-key-stability"
CHART_UPGRADE = "chart-upgrade"  # only with an UpgradeSpec (`--upgrade-from`)
CHAIN_RUN = "chain.dag-run-succeeds"
CHAIN_BROKER = "chain.wrong-broker-password-fails"
CHAIN_FERNET = "chain.wrong-fernet-key-fails"
CHAIN_KNOWN_HOST = "chain.wrong-known-host-fails"
CHAIN_IMPORT_ERROR = "chain.dag-import-error-fails-naming-the-file"

# The suite's checks in report order (results.json lists what ran in this order), then the local chain's.
SUITE = (MIGRATION_FAILS_BEFORE, MIGRATION_MIGRATE, MIGRATION_PASSES_AFTER, USER_JOB_SUCCEEDS, USER_JOB_PASSWORD,
         USER_JOB_IDEMPOTENT, USER_JOB_BROKEN_CONNECTION, BROKER_URL, GIT_SYNC_CLONE, GIT_SYNC_WRONG_KEY,
         GIT_SYNC_PLACEHOLDER, GIT_SYNC_EMPTY, FERNET_STABILITY, CHART_UPGRADE)
CHAIN = (CHAIN_RUN, CHAIN_BROKER, CHAIN_FERNET, CHAIN_KNOWN_HOST, CHAIN_IMPORT_ERROR)
