"""The clusterrole-aggregation controller fills an aggregating ClusterRole's rules from the
ClusterRoles its selectors match (``pkg/controller/clusterroleaggregation``).

The bootstrap roles' expected rule counts are those of a real v1.36.3 cluster."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.cluster import ReferenceCluster
from reference_impl.controllers.clusterroleaggregation import rule_key

Obj = dict[str, Any]

CR = "rbac.authorization.k8s.io/v1/clusterroles"
LABEL = "example.com/aggregate-to-team"


def _rule(verb: str, resource: str) -> Obj:
    return {"apiGroups": [""], "resources": [resource], "verbs": [verb]}


@pytest.fixture
def cluster() -> ReferenceCluster:
    c = ReferenceCluster([], seed=3, controllers=["clusterrole-aggregation"])
    c.advance(1)
    return c


def _role(c: ReferenceCluster, name: str, rules: list[Obj] | None = None, labels: dict[str, str] | None = None,
          selectors: list[Obj] | None = None) -> None:
    body: Obj = {"metadata": {"name": name, "labels": labels or {}}}
    if rules is not None:
        body["rules"] = rules
    if selectors is not None:
        body["aggregationRule"] = {"clusterRoleSelectors": selectors}
    c.client.create(CR, body)
    c.advance(1)


def _rules(c: ReferenceCluster, name: str) -> Any:
    return c.client.get(CR, name)["rules"]


def test_the_bootstrap_aggregating_roles_are_filled_as_on_a_real_cluster(cluster: ReferenceCluster) -> None:
    assert [len(_rules(cluster, n)) for n in ("admin", "edit", "view")] == [29, 27, 12]
    view = _rules(cluster, "view")
    assert {"apiGroups": [""], "resources": ["namespaces"], "verbs": ["get", "list", "watch"]} in view
    # admin aggregates edit, which aggregates view: the chain settles
    assert all(rule in _rules(cluster, "admin") for rule in view)


def test_rules_are_gathered_selector_by_selector_by_name_once_each(cluster: ReferenceCluster) -> None:
    _role(cluster, "team", selectors=[{"matchLabels": {LABEL: "true"}}, {"matchExpressions": [{"key": "extra", "operator": "Exists"}]}])
    _role(cluster, "b-member", [_rule("get", "pods"), _rule("list", "pods")], {LABEL: "true"})
    _role(cluster, "a-member", [_rule("list", "pods"), _rule("get", "secrets")], {LABEL: "true"})
    _role(cluster, "extra", [_rule("watch", "pods"), _rule("get", "pods")], {"extra": ""})
    assert _rules(cluster, "team") == [
        _rule("list", "pods"), _rule("get", "secrets"), _rule("get", "pods"), _rule("watch", "pods"),
    ]


def test_an_aggregating_role_does_not_aggregate_itself(cluster: ReferenceCluster) -> None:
    _role(cluster, "self", selectors=[{"matchLabels": {LABEL: "true"}}], labels={LABEL: "true"})
    _role(cluster, "member", [_rule("get", "pods")], {LABEL: "true"})
    assert _rules(cluster, "self") == [_rule("get", "pods")]


def test_relabelling_or_deleting_a_member_shrinks_the_rules_down_to_null(cluster: ReferenceCluster) -> None:
    _role(cluster, "team", selectors=[{"matchLabels": {LABEL: "true"}}])
    _role(cluster, "one", [_rule("get", "pods")], {LABEL: "true"})
    _role(cluster, "two", [_rule("get", "secrets")], {LABEL: "true"})
    assert _rules(cluster, "team") == [_rule("get", "pods"), _rule("get", "secrets")]
    cluster.client.patch(CR, "one", {"metadata": {"labels": {LABEL: None}}}, "merge")
    cluster.advance(1)
    assert _rules(cluster, "team") == [_rule("get", "secrets")]
    cluster.client.delete(CR, "two")
    cluster.advance(1)
    assert _rules(cluster, "team") is None  # the rules were the controller's own: applying none drops them


def test_a_users_edit_is_reverted_while_the_aggregation_has_rules(cluster: ReferenceCluster) -> None:
    _role(cluster, "team", selectors=[{"matchLabels": {LABEL: "true"}}])
    _role(cluster, "one", [_rule("get", "pods")], {LABEL: "true"})
    cluster.client.patch(CR, "team", {"rules": [_rule("delete", "pods")]}, "merge")
    cluster.advance(1)
    assert _rules(cluster, "team") == [_rule("get", "pods")]


def test_rules_nobody_aggregated_are_kept_when_the_aggregation_is_empty(cluster: ReferenceCluster) -> None:
    """As upstream's empty server-side apply, which removes only the fields its manager owns
    (what the real server answered to the same requests)."""
    _role(cluster, "own", [_rule("delete", "pods")], selectors=[{"matchLabels": {LABEL: "true"}}])
    assert _rules(cluster, "own") == [_rule("delete", "pods")]
    _role(cluster, "team", selectors=[{"matchLabels": {LABEL: "true"}}])
    _role(cluster, "one", [_rule("get", "pods")], {LABEL: "true"})
    cluster.client.delete(CR, "one")
    cluster.advance(1)
    cluster.client.patch(CR, "team", {"rules": [_rule("patch", "pods")]}, "merge")
    cluster.advance(1)
    assert _rules(cluster, "team") == [_rule("patch", "pods")]


def test_the_rules_come_back_after_a_controller_manager_restart(cluster: ReferenceCluster) -> None:
    _role(cluster, "team", selectors=[{"matchLabels": {LABEL: "true"}}])
    _role(cluster, "one", [_rule("get", "pods")], {LABEL: "true"})
    cluster.restart_controller_manager()
    cluster.client.patch(CR, "team", {"rules": None}, "merge")
    cluster.advance(1)
    assert _rules(cluster, "team") == [_rule("get", "pods")]


@pytest.mark.parametrize(("a", "b", "equal"), [
    ({"verbs": ["get"], "apiGroups": [""], "resources": ["pods"]},
     {"verbs": ["get"], "apiGroups": [""], "resources": ["pods"], "resourceNames": []}, True),
    ({"verbs": ["get"], "nonResourceURLs": ["/a"]}, {"verbs": ["get"], "nonResourceURLs": ["/a"], "apiGroups": None}, True),
    ({"verbs": ["get", "list"], "apiGroups": [""], "resources": ["pods"]},
     {"verbs": ["list", "get"], "apiGroups": [""], "resources": ["pods"]}, False),
])
def test_rules_compare_as_semantic_deep_equal(a: Obj, b: Obj, equal: bool) -> None:
    assert (rule_key(a) == rule_key(b)) is equal
