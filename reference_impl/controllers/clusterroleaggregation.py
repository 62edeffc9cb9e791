"""The clusterrole-aggregation controller (part of kube-controller-manager).

Models ``pkg/controller/clusterroleaggregation/clusterroleaggregation_controller.go``: a
ClusterRole with an ``aggregationRule`` gets as its rules the union of the rules of every other
ClusterRole its selectors match — selector by selector, the matching roles by name, each rule
once (the first time it is seen, rules compared as ``equality.Semantic`` does, an empty list
equal to an absent one) — written with server-side apply as field manager
``clusterrole-aggregation-controller`` with ``force``. Any ClusterRole added, changed or deleted
queues every aggregating ClusterRole (the set is small and the dependency graph unknown, as
upstream says), which is how chains settle: ``edit`` is aggregated into ``admin`` once its own
rules are filled. A selector that does not convert fails the sync, which is retried with the
queue's back-off.

An aggregation that comes out empty applies no rules upstream, and server-side apply then
removes the rules only if the controller's field manager owns them, that is if nobody wrote them
since the controller did; a ClusterRole created with its own rules, or whose rules a user edited,
keeps them. The reference's apply has no field ownership, so the controller remembers what it
last applied to each ClusterRole and clears the rules (applies ``rules: []``, stored as ``null``)
only when they are still exactly that.

Leaves out: the controller's workers count (the reference runs one queue) and its logging; after a
restart of kube-controller-manager its memory of what it applied is gone (upstream's ownership is
in ``managedFields``), so an aggregation that becomes empty then leaves the old rules in place.
"""

from __future__ import annotations

from typing import Any

from reference_impl.apiserver.selectors import label_selector_from_dict
from reference_impl.client import Component, Informer

Obj = dict[str, Any]
RuleKey = tuple[tuple[str, ...], ...]

FIELD_MANAGER = "clusterrole-aggregation-controller"
API_VERSION = "rbac.authorization.k8s.io/v1"


def rule_key(rule: Any) -> RuleKey:
    """A PolicyRule as ``equality.Semantic.DeepEqual`` compares it: field by field, each list in
    order, an empty or absent list the same as a nil one."""
    if not isinstance(rule, dict):
        return _NO_RULE
    get = rule.get
    return (
        tuple(get("verbs") or ()), tuple(get("apiGroups") or ()), tuple(get("resources") or ()),
        tuple(get("resourceNames") or ()), tuple(get("nonResourceURLs") or ()),
    )


_NO_RULE: RuleKey = ((), (), (), (), ())


def _apply_rule(rule: Obj) -> Obj:
    """``toApplyPolicyRule``: the rule's lists, the nil ones left out."""
    return {f: list(rule[f]) for f in ("resources", "resourceNames", "apiGroups", "nonResourceURLs", "verbs") if rule.get(f)}


class ClusterRoleAggregationController:
    def __init__(self, ctx: Component) -> None:
        self.ctx = ctx
        self.cluster_roles: Informer
        # name -> the rules this controller last applied: the fields its apply owns (see sync)
        self._applied: dict[str, list[RuleKey]] = {}

    def setup(self) -> None:
        self.cluster_roles = self.ctx.informers.informer("clusterroles")
        self.queue = self.ctx.queue(self._process, name="ClusterRoleAggregator")
        self.cluster_roles.add_handler(
            lambda _obj: self._enqueue(), lambda _old, _new: self._enqueue(), lambda _obj: self._enqueue()
        )

    def _enqueue(self) -> None:
        for role in self.cluster_roles.list():
            if role.get("aggregationRule") is not None:  # only the ones that may need aggregating
                self.queue.add(role["metadata"]["name"])

    def _process(self, name: str) -> None:
        self.sync(name)
        self.queue.forget(name)

    def aggregated_rules(self, shared: Obj) -> list[Obj]:
        """The rules ``shared``'s aggregation rule gathers (``SelectorError`` if one does not convert)."""
        rules: list[Obj] = []
        seen: set[RuleKey] = set()
        name = shared["metadata"]["name"]
        selectors = (shared.get("aggregationRule") or {}).get("clusterRoleSelectors") or []
        for selector in selectors:
            match = label_selector_from_dict(selector)
            roles = [r for r in self.cluster_roles.list() if match.matches(r["metadata"].get("labels"))]
            for role in sorted(roles, key=lambda r: str(r["metadata"]["name"])):
                if role["metadata"]["name"] == name:
                    continue
                for rule in role.get("rules") or ():
                    key = rule_key(rule)
                    if key not in seen:
                        seen.add(key)
                        rules.append(rule)
        return rules

    def sync(self, name: str) -> None:
        shared = self.cluster_roles.get(name)
        if shared is None or shared.get("aggregationRule") is None:
            self._applied.pop(name, None)
            return
        rules = self.aggregated_rules(shared)
        keys, current = [rule_key(r) for r in rules], [rule_key(r) for r in shared.get("rules") or ()]
        if keys == current:
            return
        if not rules and self._applied.get(name) != current:
            # Upstream applies no rules at all: server-side apply then drops only the rules its
            # field manager owns, and it owns none unless the stored ones are still the ones it
            # applied (a user's create or edit took them over): nothing changes.
            return
        body = {
            "apiVersion": API_VERSION,
            "kind": "ClusterRole",
            "metadata": {"name": name},
            "rules": [_apply_rule(r) for r in rules],
        }
        self.ctx.client.patch("clusterroles", name, body, "apply", force=True, field_manager=FIELD_MANAGER)
        self._applied[name] = keys
