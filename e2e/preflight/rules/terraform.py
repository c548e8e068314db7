"""Vault configuration in Terraform that cannot be known statically (e2e/gitops/terraform.py reads the rest)."""

from __future__ import annotations

from e2e.preflight.context import Context
from e2e.preflight.finding import Finding
from e2e.preflight.registry import rule


@rule("terraform-vault-not-resolved", "info",
      "a Terraform Vault policy or role field is an expression (variable, module, local): it is not checked",
      "issue 14 (Vault configuration where teams keep it)")
def terraform_vault_not_resolved(ctx: Context) -> list[Finding]:
    return [
        ctx.finding(file=rel, line=_line(what), obj=what.split(" ", 1)[0],
                    message=f"not checked: {what}",
                    hint="write the value as a literal (or a heredoc/jsonencode policy) so it can be checked")
        for rel, what in ctx.repo.terraform_unresolved
    ]


def _line(what: str) -> int | None:
    marker = "(line "
    start = what.find(marker)
    if start < 0:
        return None
    digits = what[start + len(marker):].split(")", 1)[0]
    return int(digits) if digits.isdigit() else None
