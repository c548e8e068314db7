"""FAILURES.md 4: an ExternalSecret template reads a payload key that is not there (`map has no entry for
key`): that one ExternalSecret fails, the others keep syncing."""

from __future__ import annotations

from e2e.checks.secrets import FERNET_KEY
from e2e.judgement import Judgement, ok, pending
from e2e.observe.snapshot import Snapshot
from e2e.preflight.rules import payload as payload_rules
from e2e.preflight.rules import secrets as secret_rules
from e2e.scenarios import convergence as conv
from e2e.scenarios import messages as msg
from e2e.scenarios import symptoms as sym
from e2e.scenarios.failures.common import Parts, preflight
from e2e.scenarios.layout import Layout
from e2e.scenarios.model import AllOf, Check, Memory, Predicate, Scenario
from e2e.scenarios.steps import GitCommit, RestoreFiles
from e2e.scenarios.transforms import EditObject


def template_key_missing(external_secret: str) -> Predicate:
    def predicate(obs: Snapshot, _m: Memory) -> Judgement:
        errors = sym.external_secrets_condition(obs, "False", "SecretSyncedError", names=(external_secret,))
        detail = sym.message_anywhere(obs, msg.MAP_NO_ENTRY)
        if errors and detail:
            return ok(*errors, *detail)
        return pending(f"{external_secret} not in SecretSyncedError with `map has no entry for key` yet")

    return predicate


def fernet_template_misspelt(lay: Layout) -> str:
    """The fernet key's template expression with its payload field misspelt (`(fromYaml .config).fernetKeyy`):
    the repository's own property and field, one letter more."""
    return f"(fromYaml .{lay.payload_property}).{lay.need('fernet_field')}y"


COUNTERPARTS = (preflight(secret_rules.template_path_missing_in_example),
                preflight(payload_rules.template_path_missing_in_payload))


def scenario(lay: Layout, upgrade_to: str) -> Scenario:
    p, misspelt, external_secret = Parts(lay), fernet_template_misspelt(lay), lay.need("fernet_external_secret")
    return Scenario(
        name="template-key-missing", entry=4, title="Template key not in the payload",
        reproduces=f"Template {lay.fernet_secret} from {misspelt}, a key the payload lacks.",
        break_=(GitCommit("external-secrets: misspell the fernet key field", (
            EditObject(lay.need("external_secrets"), "ExternalSecret", external_secret,
                       ("spec", "target", "template", "data", FERNET_KEY), "{{ " + misspelt + " }}"),),
            refresh=(lay.need("secrets_app_name"),)),),
        symptom=Check(f"{lay.fernet_secret} SecretSyncedError, `map has no entry for key`",
                      template_key_missing(external_secret)),
        symptom_within=180,
        recovery=(RestoreFiles(f"external-secrets: {lay.fernet_field}", refresh=(lay.need("secrets_app_name"),)),
                  p.force(lay.fernet_secret)),
        converged=AllOf((conv.es_synced(), p.pods_ready)),
        converge_within=300,
        invariants=p.nothing_lost(),
        counterparts=COUNTERPARTS,
        sources=("external-secrets#3843", "external-secrets#2497"),
        notes="FAILURES.md marks the fromYaml case UNCONFIRMED: a run that shows another message is a finding.",
    )
