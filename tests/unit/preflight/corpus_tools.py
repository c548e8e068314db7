"""Helpers for the preflight corpus and speed tests: generated inputs too large to keep as fixture files."""

from __future__ import annotations


def big_crd_text(target_bytes: int = 700 * 1024) -> str:
    """A CustomResourceDefinition shaped like the two ESO ships (~700 KB): deep openAPIV3Schema properties whose
    descriptions, defaults, enums and CEL rules are full of `[` and `{` (what defeats a bracket-counting guess)."""
    head = (
        "apiVersion: apiextensions.k8s.io/v1\nkind: CustomResourceDefinition\nmetadata:\n"
        "  name: clustersecretstores.example.io\n  annotations:\n    controller-gen.kubebuilder.io/version: v0.16.0\n"
        "spec:\n  group: example.io\n  names:\n    kind: ClusterSecretStore\n    plural: clustersecretstores\n"
        "  scope: Cluster\n  versions:\n  - name: v1\n    served: true\n    storage: true\n    schema:\n"
        "      openAPIV3Schema:\n        type: object\n        properties:\n          spec:\n            type: object\n"
        "            properties:\n"
    )
    parts = [head]
    size = len(head)
    index = 0
    while size < target_bytes:
        block = (
            f"              provider{index}:\n"
            "                description: |-\n"
            f"                  Provider {index} settings. Use {{.spec.provider}} or [auth] fields; see\n"
            "                  [the docs](https://example.io/docs) for {key: value} examples like [a, b, {c: d}].\n"
            "                type: object\n"
            "                x-kubernetes-validations:\n"
            "                - message: exactly one of [token, cert] must be set\n"
            "                  rule: '[has(self.token), has(self.cert)].filter(x, x).size() == 1'\n"
            "                properties:\n"
            "                  auth:\n"
            "                    description: Auth methods, one of [jwt, kubernetes, appRole] ({ref} fields).\n"
            "                    type: object\n"
            "                    default: {}\n"
            "                    properties:\n"
            "                      mode:\n"
            "                        type: string\n"
            "                        enum: [Token, Cert, Kubernetes]\n"
            "                      audiences:\n"
            "                        type: array\n"
            "                        items: {type: string}\n"
            "                        default: [vault]\n"
        )
        parts.append(block)
        size += len(block)
        index += 1
    return "".join(parts)


def remove_document(path, name: str) -> None:
    """Drop the one `---` document of a multi-document file whose metadata.name is name."""
    import re

    docs = path.read_text().split("\n---\n")
    kept = [d for d in docs if not re.search(rf"^  name: {re.escape(name)}$", d, re.M)]
    assert len(kept) == len(docs) - 1, f"{path}: expected one document named {name}"
    path.write_text("\n---\n".join(kept))
