"""core/v1 PodTemplates (``pkg/registry/core/podtemplate``), as kube-apiserver v1.36.3 answers them.

Checked against the real control plane: the template's pod spec is defaulted like a pod's,
``generation`` starts at 1 and moves only when the template changes, the template is validated as
a pod template spec, and ``kubectl get podtemplates`` shows NAME, CONTAINERS, IMAGES, POD LABELS.
"""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import ApiError, tables
from reference_impl.apiserver.registry import REGISTRY
from tests.simenv import SimEnv

Obj = dict[str, Any]


def _pt(name: str = "pt", containers: list[Obj] | None = None) -> Obj:
    return {"apiVersion": "v1", "kind": "PodTemplate", "metadata": {"name": name, "namespace": "default"},
            "template": {"metadata": {"labels": {"a": "b"}},
                         "spec": {"containers": [{"name": "c", "image": "nginx"}] if containers is None else containers}}}


def test_the_template_is_defaulted_like_a_pod_and_generation_follows_it() -> None:
    env = SimEnv()
    pt = env.api.create("podtemplates", _pt(), "default")
    spec = pt["template"]["spec"]
    assert (spec["restartPolicy"], spec["dnsPolicy"], spec["terminationGracePeriodSeconds"]) == ("Always", "ClusterFirst", 30)
    assert spec["containers"][0]["imagePullPolicy"] == "Always"  # :latest implied
    assert pt["metadata"]["generation"] == 1
    relabelled = env.api.patch("podtemplates", "pt", {"metadata": {"labels": {"x": "y"}}}, "merge", "default")
    assert relabelled["metadata"]["generation"] == 1
    changed = env.api.patch("podtemplates", "pt", {"template": {"metadata": {"labels": {"a": "c"}}}}, "merge", "default")
    assert changed["metadata"]["generation"] == 2


def test_a_template_without_containers_is_invalid() -> None:
    env = SimEnv()
    with pytest.raises(ApiError) as e:
        env.api.create("podtemplates", _pt("bad", containers=[]), "default")
    assert e.value.code == 422
    assert str(e.value) == 'PodTemplate "bad" is invalid: template.spec.containers: Required value'


def test_the_table_has_kubectls_columns() -> None:
    env = SimEnv()
    pt = env.api.create("podtemplates", _pt(), "default")
    info = REGISTRY.lookup("podtemplates")
    assert info is not None and info.namespaced and info.generation
    table = tables.to_table(info, [pt], 0.0)
    assert [c["name"] for c in table["columnDefinitions"]] == ["Name", "Containers", "Images", "Pod Labels"]
    assert table["rows"][0]["cells"] == ["pt", "c", "nginx", "a=b"]
