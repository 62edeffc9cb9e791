"""Write ``reference_impl/apiserver/registry/_rbac_bootstrap.py`` from a real cluster.

The RBAC objects kube-apiserver creates at start (its ``rbac/bootstrap-roles`` post-start hook,
``plugin/pkg/auth/authorizer/rbac/bootstrappolicy``) are read from a running server rather than
transcribed from the Go sources, so that the reference serves exactly what that release serves::

    python tools/rbac_bootstrap.py --kubeconfig /tmp/w/up.kubeconfig

It lists ClusterRoles, ClusterRoleBindings and the Roles and RoleBindings of every namespace with
``kubectl get -o json``, keeps those labelled ``kubernetes.io/bootstrapping: rbac-defaults`` (what
the hook labels every object it writes), and strips what the server sets on each write (uid,
resourceVersion, creationTimestamp, managedFields, generation). An aggregating ClusterRole
(``aggregationRule`` set: admin, edit, view) is written with ``rules: null``: the hook creates it
so and the clusterrole-aggregation controller of kube-controller-manager fills the rules, which
the reference's controller does too; a live server shows the controller's result instead.

Point it at a fresh cluster: it keeps the labelled objects whatever changed them since start.
"""

from __future__ import annotations

import argparse
import json
import pprint
import subprocess
from pathlib import Path
from typing import Any

Obj = dict[str, Any]

BOOTSTRAP_LABEL = ("kubernetes.io/bootstrapping", "rbac-defaults")
SERVER_SET = ("uid", "resourceVersion", "creationTimestamp", "managedFields", "generation", "selfLink")
KINDS = (  # (resource, constant in the data module)
    ("clusterroles", "CLUSTER_ROLES"),
    ("clusterrolebindings", "CLUSTER_ROLE_BINDINGS"),
    ("roles", "ROLES"),
    ("rolebindings", "ROLE_BINDINGS"),
)
OUT = Path(__file__).resolve().parents[1] / "reference_impl" / "apiserver" / "registry" / "_rbac_bootstrap.py"


def _kubectl_items(kubeconfig: str, resource: str) -> list[Obj]:
    label = f"{BOOTSTRAP_LABEL[0]}={BOOTSTRAP_LABEL[1]}"
    argv = ["kubectl", "--kubeconfig", kubeconfig, "get", resource, "--all-namespaces", "-l", label, "-o", "json"]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    items: list[Obj] = json.loads(out)["items"]
    return items


def _version(kubeconfig: str) -> str:
    argv = ["kubectl", "--kubeconfig", kubeconfig, "get", "--raw", "/version"]
    out = subprocess.run(argv, check=True, capture_output=True, text=True).stdout
    return str(json.loads(out)["gitVersion"])


def strip(obj: Obj) -> Obj:
    """The object as the post-start hook writes it: no server-set metadata, and an aggregating
    ClusterRole's rules left to the aggregation controller."""
    meta = {k: v for k, v in obj["metadata"].items() if k not in SERVER_SET}
    out: Obj = {"apiVersion": obj["apiVersion"], "kind": obj["kind"], "metadata": meta}
    out.update((k, v) for k, v in obj.items() if k not in ("apiVersion", "kind", "metadata"))
    if out["kind"] == "ClusterRole" and out.get("aggregationRule") is not None:
        out["rules"] = None
    return out


def render(version: str, groups: dict[str, list[Obj]]) -> str:
    """The data module's text."""
    counts = ", ".join(f"{len(objs)} {name}" for name, objs in groups.items())
    lines = [
        '"""The RBAC objects kube-apiserver ' + version + " creates at start: GENERATED, do not edit.",
        "",
        "Read from a real kube-apiserver " + version + " (``plugin/pkg/auth/authorizer/rbac/bootstrappolicy``,",
        "written by its ``rbac/bootstrap-roles`` post-start hook) by ``tools/rbac_bootstrap.py``::",
        "",
        "    python tools/rbac_bootstrap.py --kubeconfig KUBECONFIG",
        "",
        "which keeps the objects labelled ``kubernetes.io/bootstrapping: rbac-defaults`` and strips the",
        "server-set metadata (uid, resourceVersion, creationTimestamp, managedFields); aggregating",
        "ClusterRoles have ``rules: None`` (the clusterrole-aggregation controller fills them).",
        "Each tuple is in the server's list order (by namespace, then name). Holds:",
        f"{counts}.",
        '"""',
        "",
        "from __future__ import annotations",
        "",
        "from typing import Any",
        "",
        "Obj = dict[str, Any]",
        "",
        "# fmt: off",
    ]
    for name, objs in groups.items():
        lines.append(f"{name}: tuple[Obj, ...] = (")
        for obj in objs:
            text = pprint.pformat(obj, width=108, sort_dicts=False)
            lines.extend("    " + line for line in text.splitlines())
            lines[-1] += ","
        lines.append(")")
    lines.append("# fmt: on")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--kubeconfig", required=True, help="a fresh real cluster")
    parser.add_argument("-o", "--output", type=Path, default=OUT, help=f"where to write (default {OUT})")
    args = parser.parse_args()
    groups = {const: [strip(o) for o in _kubectl_items(args.kubeconfig, res)] for res, const in KINDS}
    args.output.write_text(render(_version(args.kubeconfig), groups))
    print(f"wrote {args.output}: " + ", ".join(f"{len(v)} {k}" for k, v in groups.items()))


if __name__ == "__main__":
    main()
