"""`airflow-e2e status`: the state of a running stack, one line per component and Application.
Exit 0 all ready, 1 something not ready, 2 no such run / cluster unreachable."""

from __future__ import annotations

import argparse


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run-id", default=None, help="default: the last run started by `up`")


def run(args: argparse.Namespace) -> int:
    from e2e.cluster import tools
    from e2e.cluster.session import SavedRun
    from e2e.errors import UnusableInput
    from e2e.stack import argocd
    from e2e.stack.common import run_namespaces

    saved = SavedRun(args.run_id)
    ready = True
    try:
        kube = saved.kube()
        for ns in run_namespaces(saved.config):
            for pod in kube.list("pods", ns):
                conditions = {c["type"]: c["status"] for c in (pod.get("status") or {}).get("conditions") or []}
                ok = conditions.get("Ready") == "True" or (pod.get("status") or {}).get("phase") == "Succeeded"
                ready &= ok
                print(saved.masker.mask(f"{'ok ' if ok else '.. '} pod {ns}/{pod['metadata']['name']} "
                                        f"{(pod.get('status') or {}).get('phase')}"))
        for app in kube.list("applications.argoproj.io", saved.config.argocd_namespace):
            state, reason = argocd.application_state(app)
            ready &= state == "ok"
            print(saved.masker.mask(f"{'ok ' if state == 'ok' else '.. '} application {app['metadata']['name']}: "
                                    f"{reason}"))
    except tools.ToolError as exc:
        raise UnusableInput(str(exc)) from None
    return 0 if ready else 1
