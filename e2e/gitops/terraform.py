"""Vault configuration kept in Terraform: `vault_policy` and `vault_kubernetes_auth_backend_role` resources.

Why: many teams manage Vault with Terraform instead of `vault/policies/*.hcl` and `vault/roles/*.yaml`; their
KV v2 paths, role bindings and audiences deserve the same checks. The policy text may be a heredoc, a
`jsonencode({...})` object or a `data "vault_policy_document"`; role fields may reference a policy resource
(`vault_policy.x.name`). Anything else (variables, modules, locals) cannot be known statically and is left
out: a reference that is not resolved is never guessed into a name.
"""

from __future__ import annotations

import json
import re
import textwrap
from typing import Any

from e2e.gitops.hclcache import parse_hcl
from e2e.gitops.model import Origin, VaultPolicy, VaultRole

_HEREDOC = re.compile(r"^<<(-?)([A-Za-z_][A-Za-z0-9_]*)\n(.*?)\n?[ \t]*\2$", re.S)
_INTERPOLATION = re.compile(r"^\$\{(.*)\}$", re.S)
_JSONENCODE = re.compile(r"^jsonencode\((.*)\)$", re.S)
_POLICY_REF = re.compile(r"^vault_policy\.([A-Za-z0-9_-]+)\.(?:name|id)$")
_DOCUMENT_REF = re.compile(r"^data\.vault_policy_document\.([A-Za-z0-9_-]+)\.hcl$")
ROLE_FIELDS = {
    "bound_service_account_names": "bound_service_account_names",
    "bound_service_account_namespaces": "bound_service_account_namespaces",
    "audience": "audience",
    "token_policies": "policies",
    "policies": "policies",
    "token_ttl": "ttl",
    "ttl": "ttl",
}


def _unquote(value: Any) -> Any:
    if isinstance(value, str) and len(value) >= 2 and value[0] == value[-1] == '"':
        return value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
    return value


def _expression(value: Any) -> str | None:
    """`${...}` -> the expression inside; None for a literal."""
    match = _INTERPOLATION.match(value) if isinstance(value, str) else None
    return match.group(1).strip() if match else None


def _blocks(parsed: dict[str, Any], kind: str, type_name: str) -> list[tuple[str, dict[str, Any]]]:
    """(label, body) for every `kind "type_name" "label" { ... }` block."""
    found = []
    for entry in parsed.get(kind) or []:
        if not isinstance(entry, dict):
            continue
        for rtype, by_label in entry.items():
            if _unquote(rtype) != type_name or not isinstance(by_label, dict):
                continue
            found += [(_unquote(label), body) for label, body in by_label.items() if isinstance(body, dict)]
    return found


def _line_of(text: str, kind: str, type_name: str, label: str) -> int:
    match = re.search(rf'^[ \t]*{kind}\s+"{re.escape(type_name)}"\s+"{re.escape(label)}"', text, re.M)
    return text.count("\n", 0, match.start()) + 1 if match else 1


def _rules_from_hcl(policy_text: str) -> dict[str, list[str]] | None:
    stripped = policy_text.strip()
    if stripped.startswith("{"):
        try:
            return policy_rules(json.loads(stripped))
        except ValueError:
            return None
    try:
        return policy_rules(parse_hcl(policy_text))
    except Exception:  # a policy text hcl2 cannot parse: not checked, as any unknown
        return None


def policy_rules(data: Any) -> dict[str, list[str]]:
    """Vault's policy object ({"path": {P: {"capabilities": [...]}}}, or hcl2's list of path blocks): path ->
    capabilities, for vault/policies/*.hcl and Terraform alike."""
    rules: dict[str, list[str]] = {}
    paths = data.get("path") if isinstance(data, dict) else None
    for block in paths if isinstance(paths, list) else [paths]:
        if not isinstance(block, dict):
            continue
        for raw_path, body in block.items():
            rules[str(_unquote(raw_path))] = _capabilities(body)
    return rules


def _capabilities(body: Any) -> list[str]:
    caps = body.get("capabilities") if isinstance(body, dict) else None
    return [str(_unquote(c)) for c in caps] if isinstance(caps, list) else []


def _document_rules(body: dict[str, Any]) -> dict[str, list[str]]:
    """A `data "vault_policy_document"`'s `rule` blocks: path -> capabilities."""
    return {_unquote(rule["path"]): _capabilities(rule) for rule in body.get("rule") or []
            if isinstance(rule, dict) and isinstance(rule.get("path"), str)}


def _policy_rules(value: Any, documents: dict[str, dict[str, list[str]]]) -> dict[str, list[str]] | None:
    expression = _expression(value)
    if expression is None:
        text = _unquote(value)
        if not isinstance(text, str):
            return None
        heredoc = _HEREDOC.match(text)
        if heredoc:
            text = heredoc.group(3)
            text = textwrap.dedent(text) if heredoc.group(1) else text
        return _rules_from_hcl(text)
    encoded = _JSONENCODE.match(expression)
    if encoded:
        try:
            return policy_rules(parse_hcl(f"policy = {encoded.group(1)}\n").get("policy"))
        except Exception:
            return None
    document = _DOCUMENT_REF.match(expression)
    if document:
        return documents.get(document.group(1))
    return None


def _resolve_name(value: Any, policy_names: dict[str, str]) -> str | None:
    expression = _expression(value)
    if expression is None:
        literal = _unquote(value)
        return str(literal) if isinstance(literal, str | int) else None
    ref = _POLICY_REF.match(expression)
    return policy_names.get(ref.group(1)) if ref else None


def vault_from_terraform(text: str, rel: str) -> tuple[list[VaultPolicy], list[VaultRole], list[str]]:
    """Policies, roles, and what could not be resolved (for an info) in one .tf file; raises on broken HCL."""
    parsed = parse_hcl(text)
    documents = {label: _document_rules(body) for label, body in _blocks(parsed, "data", "vault_policy_document")}
    policies: list[VaultPolicy] = []
    unresolved: list[str] = []
    policy_names: dict[str, str] = {}
    for label, body in _blocks(parsed, "resource", "vault_policy"):
        name = _resolve_name(body.get("name"), {}) or label
        policy_names[label] = name
        rules = _policy_rules(body.get("policy"), documents)
        line = _line_of(text, "resource", "vault_policy", label)
        if rules is None:
            unresolved.append(f"vault_policy.{label} (line {line}): its policy text is not a literal, heredoc, "
                              "jsonencode or vault_policy_document")
        policies.append(VaultPolicy(name=name, rules=rules or {}, origin=Origin(rel, line), text=text,
                                    opaque=rules is None))
    roles: list[VaultRole] = []
    for label, body in _blocks(parsed, "resource", "vault_kubernetes_auth_backend_role"):
        line = _line_of(text, "resource", "vault_kubernetes_auth_backend_role", label)
        name = _resolve_name(body.get("role_name"), {})
        if name is None:
            unresolved.append(f"vault_kubernetes_auth_backend_role.{label} (line {line}): role_name is not a literal")
            continue
        params: dict[str, Any] = {}
        for field, param in ROLE_FIELDS.items():
            if field not in body:
                continue
            value = body[field]
            if isinstance(value, list):
                names = [_resolve_name(v, policy_names) for v in value]
                if any(n is None for n in names):
                    unresolved.append(f"vault_kubernetes_auth_backend_role.{label} (line {line}): {field} "
                                      "has a value that is not a literal")
                params[param] = [n for n in names if n is not None]
            else:
                resolved = _resolve_name(value, policy_names)
                if resolved is not None:
                    params[param] = resolved
        roles.append(VaultRole(name=name, params=params, origin=Origin(rel, line)))
    return policies, roles, unresolved
