"""The plan's command list can be copied into a shell: every file after `kubectl apply` has its own -f."""

from e2e.cluster import plan as plan_mod
from e2e.config import RunConfig


def test_each_applied_file_follows_its_own_dash_f():
    plan, _, _ = plan_mod.prepare(RunConfig(run_id="e2e-copy"))
    for phase in plan.phases:
        for lane in phase.lanes:
            for step in lane:
                argv = step.argv
                if argv[:2] != ["kubectl", "apply"] or "|" in argv:
                    continue
                files = [a for a in argv if a.endswith((".yaml", ".yml"))]
                for name in files:
                    assert argv[argv.index(name) - 1] == "-f", f"{step.name}: {name} has no -f before it"
