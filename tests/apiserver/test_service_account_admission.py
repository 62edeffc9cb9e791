"""ServiceAccount admission's token mount (``plugin/pkg/admission/serviceaccount/admission.go``).

Shapes checked against kube-apiserver v1.36.3 (the real control plane here): the projected
volume ``kube-api-access-<5 chars>`` with the token, ``kube-root-ca.crt``'s ``ca.crt`` and the
namespace, mounted read-only at the token path in every container without a mount there.
"""

from __future__ import annotations

from typing import Any

from reference_impl.apiserver.server import TOKEN_MOUNT_PATH, token_volume_source
from tests.simenv import SimEnv

Obj = dict[str, Any]


def _pod(name: str, **spec: Any) -> Obj:
    spec.setdefault("containers", [{"name": "c", "image": "nginx"}])
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name, "namespace": "default"}, "spec": spec}


def _sa(env: SimEnv, name: str, automount: bool | None) -> None:
    sa: Obj = {"apiVersion": "v1", "kind": "ServiceAccount", "metadata": {"name": name, "namespace": "default"}}
    if automount is not None:
        sa["automountServiceAccountToken"] = automount
    env.api.create("serviceaccounts", sa, "default")


def test_every_container_mounts_the_token_volume() -> None:
    env = SimEnv()
    pod = env.api.create("pods", _pod("p", initContainers=[{"name": "i", "image": "busybox"}],
                                      containers=[{"name": "a", "image": "nginx"}, {"name": "b", "image": "nginx"}]),
                         "default")
    (volume,) = pod["spec"]["volumes"]
    assert volume["name"].startswith("kube-api-access-") and len(volume["name"]) == len("kube-api-access-") + 5
    assert volume["projected"] == token_volume_source()
    assert volume["projected"]["defaultMode"] == 420
    for c in [*pod["spec"]["initContainers"], *pod["spec"]["containers"]]:
        assert c["volumeMounts"] == [{"name": volume["name"], "readOnly": True, "mountPath": TOKEN_MOUNT_PATH}]


def test_the_pod_or_else_its_service_account_can_opt_out() -> None:
    env = SimEnv()
    assert "volumes" not in env.api.create("pods", _pod("p", automountServiceAccountToken=False), "default")["spec"]
    _sa(env, "quiet", False)
    assert "volumes" not in env.api.create("pods", _pod("q", serviceAccountName="quiet"), "default")["spec"]
    # the pod's preference wins over its service account's
    opted_in = env.api.create("pods", _pod("r", serviceAccountName="quiet", automountServiceAccountToken=True),
                              "default")
    assert [v["name"][:16] for v in opted_in["spec"]["volumes"]] == ["kube-api-access-"]
    _sa(env, "loud", True)
    assert env.api.create("pods", _pod("s", serviceAccountName="loud"), "default")["spec"]["volumes"]


def test_a_container_with_its_own_mount_at_the_token_path_is_left_alone() -> None:
    env = SimEnv()
    mine = {"name": "own", "mountPath": TOKEN_MOUNT_PATH}
    pod = env.api.create("pods", _pod("p", volumes=[{"name": "own", "emptyDir": {}}],
                                      containers=[{"name": "c", "image": "nginx", "volumeMounts": [mine]}]), "default")
    assert [v["name"] for v in pod["spec"]["volumes"]] == ["own"]  # nobody needed the token volume
    assert pod["spec"]["containers"][0]["volumeMounts"] == [mine]


def test_a_pod_that_names_its_token_volume_keeps_it() -> None:
    env = SimEnv()
    given = {"name": "kube-api-access-mine1", "emptyDir": {}}
    pod = env.api.create("pods", _pod("p", volumes=[given]), "default")
    assert pod["spec"]["volumes"] == [given]
    assert pod["spec"]["containers"][0]["volumeMounts"][0]["name"] == "kube-api-access-mine1"
