"""networking.k8s.io/v1 through the API server: Ingress, IngressClass, NetworkPolicy, IPAddress and
ServiceCIDR are defaulted, validated, generation-bumped and printed as kube-apiserver v1.36.3 does
(``pkg/apis/networking``, ``pkg/registry/networking``, ``pkg/printers/internalversion``).

The expected causes are the real server's answers to the same requests (diffed against a running
v1.36.3 kube-apiserver)."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import REGISTRY, ApiError, APIServer, tables
from reference_impl.apiserver._json import dumps
from reference_impl.apiserver.registry import networking
from reference_impl.apiserver.validation import Errors
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]

GV = "networking.k8s.io/v1"
ING = f"{GV}/ingresses"
IC = f"{GV}/ingressclasses"
NP = f"{GV}/networkpolicies"
IP = f"{GV}/ipaddresses"
SC = f"{GV}/servicecidrs"

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)
LABEL_MSG = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start "
    "and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')"
)
CIDR_MSG = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def _api() -> APIServer:
    return APIServer(MemoryStore(), EventLoop(), SeededRandom(1))


def _errors(excinfo: pytest.ExceptionInfo[ApiError]) -> list[tuple[str, str]]:
    """(field, message) of each cause of a 422."""
    assert excinfo.value.code == 422
    return [(c["field"], c["message"]) for c in excinfo.value.status["details"]["causes"]]


def _svc(name: str = "web", port: Obj | None = None) -> Obj:
    return {"service": {"name": name, "port": {"number": 80} if port is None else port}}


def _table(api: APIServer, resource: str, namespace: str | None = None) -> Obj:
    info = REGISTRY.lookup(resource)
    assert info is not None
    return tables.to_table(info, api.list(resource, namespace)["items"], 0.0, strategy=REGISTRY.strategy(info))


def _columns(table: Obj) -> list[str]:
    return [c["name"] for c in table["columnDefinitions"]]


# --------------------------------------------------------------------------- discovery facts


@pytest.mark.parametrize(
    ("resource", "namespaced", "short", "subresources"),
    [
        (ING, True, ("ing",), ("status",)),
        (IC, False, (), ()),
        (NP, True, ("netpol",), ()),
        (IP, False, ("ip",), ()),
        (SC, False, (), ("status",)),
    ],
)
def test_the_group_serves_five_resources_as_discovery_shows_them(
    resource: str, namespaced: bool, short: tuple[str, ...], subresources: tuple[str, ...]
) -> None:
    info = REGISTRY.lookup(resource)
    assert info is not None
    assert (info.namespaced, info.short_names, info.subresources) == (namespaced, short, subresources)


# --------------------------------------------------------------------------- Ingress


def test_an_ingress_gets_an_empty_status_and_generation_one_then_bumps_on_spec_changes() -> None:
    api = _api()
    ing = api.create(ING, {
        "metadata": {"name": "web"}, "spec": {"defaultBackend": _svc()},
        "status": {"loadBalancer": {"ingress": [{"ip": "1.2.3.4"}]}},
    }, "default")
    assert ing["status"] == {"loadBalancer": {}} and ing["metadata"]["generation"] == 1
    relabelled = api.patch(ING, "web", {"metadata": {"labels": {"a": "b"}}}, "merge", "default")
    assert relabelled["metadata"]["generation"] == 1
    changed = api.patch(ING, "web", {"spec": {"ingressClassName": "nginx"}}, "merge", "default")
    assert changed["metadata"]["generation"] == 2


def test_an_ingress_needs_a_default_backend_or_rules() -> None:
    api = _api()
    with pytest.raises(ApiError) as absent:
        api.create(ING, {"metadata": {"name": "a"}}, "default")
    assert _errors(absent) == [("spec", "Invalid value: null: either `defaultBackend` or `rules` must be specified")]
    with pytest.raises(ApiError) as empty:
        api.create(ING, {"metadata": {"name": "a"}, "spec": {"rules": []}}, "default")
    assert _errors(empty) == [("spec", "Invalid value: []: either `defaultBackend` or `rules` must be specified")]


def test_an_ingress_checks_its_paths_by_path_type() -> None:
    paths = [
        {"path": "x", "pathType": "Prefix"}, {"path": "/a//b/.", "pathType": "Exact"},
        {"path": "/a/%2fb/..", "pathType": "Prefix"}, {"path": "rel", "pathType": "ImplementationSpecific"},
        {"path": "/", "pathType": "Weird"}, {"path": "/"}, {"path": "", "pathType": "Prefix"},
    ]
    with pytest.raises(ApiError) as bad:
        _api().create(ING, {"metadata": {"name": "a"}, "spec": {"rules": [{"host": "h.example.com", "http": {
            "paths": [{**p, "backend": _svc()} for p in paths]}}]}}, "default")
    at = "spec.rules[0].http.paths"
    assert _errors(bad) == [
        (f"{at}[0].path", 'Invalid value: "x": must be an absolute path'),
        (f"{at}[1].path", "Invalid value: \"/a//b/.\": must not contain '//'"),
        (f"{at}[1].path", "Invalid value: \"/a//b/.\": cannot end with '/.'"),
        (f"{at}[2].path", "Invalid value: \"/a/%2fb/..\": must not contain '%2f'"),
        (f"{at}[2].path", "Invalid value: \"/a/%2fb/..\": cannot end with '/..'"),
        (f"{at}[3].path", 'Invalid value: "rel": must be an absolute path'),
        (f"{at}[4].pathType",
         'Unsupported value: "Weird": supported values: "Exact", "ImplementationSpecific", "Prefix"'),
        (f"{at}[5].pathType", "Required value: pathType must be specified"),
        (f"{at}[6].path", 'Invalid value: "": must be an absolute path'),
    ]


def test_an_ingress_backend_is_one_service_with_one_port_or_one_resource() -> None:
    backends: list[Obj] = [
        {}, {**_svc(), "resource": {"kind": "K", "name": "n"}}, _svc(port={"name": "http", "number": 80}),
        _svc(port={}), _svc(name="Web_1"), _svc(name="1web"), _svc(port={"number": 70000}),
        {"service": {"port": {"number": 1}}},
        {"resource": {"apiGroup": "Bad Group", "kind": "a/b", "name": ".."}},
    ]
    with pytest.raises(ApiError) as bad:
        _api().create(ING, {"metadata": {"name": "a"}, "spec": {"rules": [{"http": {"paths": [
            {"path": f"/{i}", "pathType": "Prefix", "backend": b} for i, b in enumerate(backends)]}}]}}, "default")
    at = "spec.rules[0].http.paths"
    assert _errors(bad) == [
        (f"{at}[0].backend", 'Invalid value: "": resource or service backend is required'),
        (f"{at}[1].backend", 'Invalid value: "": cannot set both resource and service backends'),
        (f"{at}[2].backend", 'Invalid value: "": cannot set both port name & port number'),
        (f"{at}[3].backend", "Required value: port name or number is required"),
        (f"{at}[4].backend.service.name", f'Invalid value: "Web_1": {LABEL_MSG}'),
        # "1web" is a DNS-1123 label: v1.36's RelaxedServiceNameValidation no longer asks for DNS-1035
        (f"{at}[6].backend.service.port.number", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
        (f"{at}[7].backend.service.name", "Required value"),
        (f"{at}[8].backend.resource.apiGroup", f'Invalid value: "Bad Group": {SUBDOMAIN_MSG}'),
        (f"{at}[8].backend.resource.kind", "Invalid value: \"a/b\": may not contain '/'"),
        (f"{at}[8].backend.resource.name", "Invalid value: \"..\": may not be '..'"),
    ]


def test_an_ingress_checks_hosts_tls_and_its_class() -> None:
    api = _api()
    with pytest.raises(ApiError) as hosts:
        api.create(ING, {"metadata": {"name": "a"}, "spec": {"defaultBackend": _svc(), "rules": [
            {"host": "1.2.3.4"}, {"host": "*.foo.com"}, {"host": "a.*.com"}]}}, "default")
    wildcard = (
        "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must consist "
        "of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character (e.g. "
        "'*.example.com', regex used for validation is "
        "'\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
    )
    assert _errors(hosts) == [
        ("spec.rules[0].host", 'Invalid value: "1.2.3.4": must be a DNS name, not an IP address'),
        ("spec.rules[2].host", f'Invalid value: "a.*.com": {wildcard}'),
    ]
    with pytest.raises(ApiError) as tls:
        api.create(ING, {"metadata": {"name": "a"}, "spec": {"defaultBackend": _svc(), "ingressClassName": "Bad_C",
                                                             "tls": [{"hosts": ["*"], "secretName": "Bad_S"}]}}, "default")
    assert _errors(tls) == [
        ("spec.tls[0].hosts[0]", f'Invalid value: "*": {wildcard}'),
        ("spec.tls[0].secretName", f'Invalid value: "Bad_S": {SUBDOMAIN_MSG}'),
        ("spec.ingressClassName", f'Invalid value: "Bad_C": {SUBDOMAIN_MSG}'),
    ]
    with pytest.raises(ApiError) as mismatch:
        api.create(ING, {"metadata": {"name": "a", "annotations": {"kubernetes.io/ingress.class": "a"}},
                         "spec": {"defaultBackend": _svc(), "ingressClassName": "b"}}, "default")
    assert _errors(mismatch) == [
        ("annotations.kubernetes.io/ingress.class", 'Invalid value: "a": must match `ingressClassName` when both are specified'),
    ]


def test_an_ingress_annotation_may_disagree_with_its_class_after_create() -> None:
    api = _api()
    api.create(ING, {"metadata": {"name": "a"}, "spec": {"defaultBackend": _svc(), "ingressClassName": "b"}}, "default")
    patched = api.patch(ING, "a", {"metadata": {"annotations": {"kubernetes.io/ingress.class": "zz"}}}, "merge", "default")
    assert patched["metadata"]["annotations"] == {"kubernetes.io/ingress.class": "zz"}


def test_an_ingress_status_is_written_through_status_and_checks_its_addresses() -> None:
    api = _api()
    ing = api.create(ING, {"metadata": {"name": "a"}, "spec": {"defaultBackend": _svc()}}, "default")
    kept = api.update(ING, {**ing, "status": {"loadBalancer": {"ingress": [{"ip": "9.9.9.9"}]}}}, "default")
    assert kept["status"] == {"loadBalancer": {}}
    lb = {"loadBalancer": {"ingress": [{"ip": "10.0.0.1"}, {"hostname": "lb.example.com"}]}}
    written = api.update(ING, {**kept, "spec": {"defaultBackend": _svc("other")}, "status": lb}, "default",
                         subresource="status")
    assert written["status"] == lb and written["spec"]["defaultBackend"] == _svc()
    bad = {"loadBalancer": {"ingress": [{"ip": "1.2.3"}, {"ip": "010.0.0.1"}, {"ip": "::ffff:1.2.3.4"},
                                        {"hostname": "1.2.3.4"}]}}
    with pytest.raises(ApiError) as invalid:
        api.update(ING, {**written, "status": bad}, "default", subresource="status")
    at = "status.loadBalancer.ingress"
    assert _errors(invalid) == [
        (f"{at}[0].ip", 'Invalid value: "1.2.3": must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)'),
        (f"{at}[1].ip", 'Invalid value: "010.0.0.1": must not have leading 0s'),
        (f"{at}[2].ip", 'Invalid value: "::ffff:1.2.3.4": must not be an IPv4-mapped IPv6 address'),
        (f"{at}[3].hostname", 'Invalid value: "1.2.3.4": must be a DNS name, not an IP address'),
    ]


def test_an_ingress_that_had_an_invalid_secret_name_may_still_be_updated() -> None:
    store = MemoryStore()
    api = APIServer(store, EventLoop(), SeededRandom(1))
    store.put(  # stored before secret names were checked
        "/registry/ingresses.networking.k8s.io/default/old",
        dumps({"apiVersion": GV, "kind": "Ingress", "metadata": {
            "name": "old", "namespace": "default", "uid": "u", "generation": 1,
            "creationTimestamp": "2026-01-01T00:00:00Z"},
            "spec": {"defaultBackend": _svc(), "tls": [{"secretName": "Bad_S"}]}, "status": {"loadBalancer": {}}}),
    )
    changed = api.patch(ING, "old", {"spec": {"ingressClassName": "c"}}, "merge", "default")
    assert changed["metadata"]["generation"] == 2


def test_default_ingress_class_admission_picks_the_newest_default_class() -> None:
    def cls(name: str, created: str, default: bool = True) -> Obj:
        annotations = {networking.DEFAULT_INGRESS_CLASS_ANNOTATION: "true"} if default else {}
        return {"metadata": {"name": name, "creationTimestamp": created, "annotations": annotations}}

    classes = {c["metadata"]["name"]: c for c in (
        cls("old", "2026-01-01T00:00:00Z"), cls("b", "2026-01-02T00:00:00Z"), cls("a", "2026-01-02T00:00:00Z"),
        cls("newest-not-default", "2026-01-03T00:00:00Z", default=False))}
    ingress: Obj = {"metadata": {"name": "i"}, "spec": {}}
    networking.admit_ingress(ingress, classes)
    assert ingress["spec"]["ingressClassName"] == "a"
    annotated: Obj = {"metadata": {"name": "i", "annotations": {"kubernetes.io/ingress.class": "x"}}, "spec": {}}
    networking.admit_ingress(annotated, classes)
    assert "ingressClassName" not in annotated["spec"]
    named: Obj = {"metadata": {"name": "i"}, "spec": {"ingressClassName": "mine"}}
    networking.admit_ingress(named, classes)
    assert named["spec"]["ingressClassName"] == "mine"


# --------------------------------------------------------------------------- IngressClass


def test_an_ingress_class_defaults_its_parameters_scope_and_keeps_its_controller() -> None:
    api = _api()
    ic = api.create(IC, {"metadata": {"name": "nginx"}, "spec": {
        "controller": "example.com/ingress", "parameters": {"apiGroup": "k8s.example.com", "kind": "P", "name": "p"}}})
    assert ic["spec"]["parameters"]["scope"] == "Cluster" and ic["metadata"]["generation"] == 1
    moved = api.patch(IC, "nginx", {"spec": {"parameters": {"name": "q"}}}, "merge")
    assert moved["metadata"]["generation"] == 2
    with pytest.raises(ApiError) as fixed:
        api.patch(IC, "nginx", {"spec": {"controller": "example.com/other"}}, "merge")
    assert _errors(fixed) == [("spec.controller", 'Invalid value: "example.com/other": field is immutable')]


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ({}, [("spec.controller", "Required value")]),
        ({"controller": "nodomain"},
         [("spec.controller", 'Invalid value: "nodomain": must be a domain-prefixed path (such as "acme.io/foo")')]),
        ({"controller": "a.com/"},
         [("spec.controller", 'Invalid value: "a.com/": must be a domain-prefixed path (such as "acme.io/foo")')]),
        ({"controller": "Bad_Host/x"}, [("spec.controller", f'Invalid value: "Bad_Host": {SUBDOMAIN_MSG}')]),
        ({"controller": "a.com/x y"}, [("spec.controller",
          "Invalid value: \"x y\": Invalid path (regex used for validation is '[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+')")]),
        ({"controller": "a.com/" + "x" * 250}, [("spec.controller", "Too long: may not be more than 250 bytes")]),
        ({"controller": "a.com/x", "parameters": {"apiGroup": "Bad", "kind": "", "name": "a/b", "scope": "Namespace"}}, [
            ("spec.parameters.apiGroup", f'Invalid value: "Bad": {SUBDOMAIN_MSG}'),
            ("spec.parameters.kind", "Required value"),
            ("spec.parameters.name", "Invalid value: \"a/b\": may not contain '/'"),
            ("spec.parameters.namespace", "Required value: `parameters.scope` is set to 'Namespace'"),
        ]),
        ({"controller": "a.com/x", "parameters": {"kind": "K", "name": "n", "namespace": "x"}},
         [("spec.parameters.namespace", "Forbidden: `parameters.scope` is set to 'Cluster'")]),
        ({"controller": "a.com/x", "parameters": {"kind": "K", "name": "n", "scope": "Galaxy"}},
         [("spec.parameters.scope", 'Unsupported value: "Galaxy": supported values: "Cluster", "Namespace"')]),
        ({"controller": "a.com/x", "parameters": {"kind": "..", "name": "n", "scope": "Namespace", "namespace": "Bad.NS"}}, [
            ("spec.parameters.kind", "Invalid value: \"..\": may not be '..'"),
            ("spec.parameters.namespace", f'Invalid value: "Bad.NS": {LABEL_MSG}'),
        ]),
    ],
)
def test_an_ingress_class_checks_its_controller_and_parameters(spec: Obj, expected: list[tuple[str, str]]) -> None:
    with pytest.raises(ApiError) as bad:
        _api().create(IC, {"metadata": {"name": "c"}, "spec": spec})
    assert _errors(bad) == expected


# --------------------------------------------------------------------------- NetworkPolicy


def test_a_network_policy_defaults_its_selector_policy_types_and_protocols() -> None:
    api = _api()
    minimal = api.create(NP, {"metadata": {"name": "a"}}, "default")
    assert minimal["spec"] == {"podSelector": {}, "policyTypes": ["Ingress"]}
    assert minimal["metadata"]["generation"] == 1
    egress = api.create(NP, {"metadata": {"name": "b"}, "spec": {"podSelector": {}, "egress": [
        {"ports": [{"port": 53}]}]}}, "default")
    assert egress["spec"]["policyTypes"] == ["Ingress", "Egress"]
    assert egress["spec"]["egress"][0]["ports"] == [{"port": 53, "protocol": "TCP"}]
    bumped = api.patch(NP, "a", {"spec": {"policyTypes": ["Egress"]}}, "merge", "default")
    assert bumped["metadata"]["generation"] == 2


def test_a_network_policy_checks_its_ports() -> None:
    ports = [{"port": 0}, {"port": 100, "endPort": 50}, {"endPort": 5}, {"port": "http", "endPort": 90},
             {"port": "Bad_Name"}, {"port": 80, "protocol": "ICMP"}, {"port": 80, "endPort": 70000}]
    with pytest.raises(ApiError) as bad:
        _api().create(NP, {"metadata": {"name": "p"}, "spec": {"podSelector": {}, "ingress": [{"ports": ports}]}}, "default")
    at = "spec.ingress[0].ports"
    assert _errors(bad) == [
        (f"{at}[0].port", "Invalid value: 0: must be between 1 and 65535, inclusive"),
        (f"{at}[1].endPort", "Invalid value: 100: must be greater than or equal to `port`"),
        (f"{at}[2].endPort", "Invalid value: 5: may not be specified when `port` is not specified"),
        (f"{at}[3].endPort", "Invalid value: 90: may not be specified when `port` is non-numeric"),
        (f"{at}[4].port", 'Invalid value: "Bad_Name": must contain only alpha-numeric characters (a-z, 0-9), and hyphens (-)'),
        (f"{at}[5].protocol", 'Unsupported value: "ICMP": supported values: "TCP", "UDP", "SCTP"'),
        (f"{at}[6].endPort", "Invalid value: 70000: must be between 1 and 65535, inclusive"),
    ]


def test_a_network_policy_checks_its_peers_and_cidrs_strictly() -> None:
    peers = [
        {}, {"ipBlock": {"cidr": "10.0.0.0/8"}, "podSelector": {}}, {"ipBlock": {"cidr": ""}},
        {"ipBlock": {"cidr": "10.0.0.1/8"}}, {"ipBlock": {"cidr": "010.0.0.0/8"}}, {"ipBlock": {"cidr": "bogus"}},
        {"ipBlock": {"cidr": "10.0.0.0/16", "except": ["10.0.0.0/16", "10.1.0.0/24", "10.0.1.0/24", "x", "::/64"]}},
        {"ipBlock": {"cidr": "::ffff:10.0.0.0/104"}}, {"ipBlock": {"cidr": "10.0.0.0/08"}},
    ]
    with pytest.raises(ApiError) as bad:
        _api().create(NP, {"metadata": {"name": "p"}, "spec": {"podSelector": {}, "egress": [{"to": peers}]}}, "default")
    at = "spec.egress[0].to"
    assert _errors(bad) == [
        (f"{at}[0]", "Required value: must specify a peer"),
        (f"{at}[1]", "Forbidden: may not specify both ipBlock and another peer"),
        (f"{at}[2].ipBlock.cidr", "Required value"),
        (f"{at}[3].ipBlock.cidr", 'Invalid value: "10.0.0.1/8": must not have bits set beyond the prefix length'),
        (f"{at}[4].ipBlock.cidr", 'Invalid value: "010.0.0.0/8": must not have leading 0s in IP or prefix length'),
        (f"{at}[5].ipBlock.cidr", f'Invalid value: "bogus": {CIDR_MSG}'),
        (f"{at}[6].ipBlock.except[0]", 'Invalid value: "10.0.0.0/16": must be a strict subset of `cidr`'),
        (f"{at}[6].ipBlock.except[1]", 'Invalid value: "10.1.0.0/24": must be a strict subset of `cidr`'),
        (f"{at}[6].ipBlock.except[3]", f'Invalid value: "x": {CIDR_MSG}'),
        (f"{at}[6].ipBlock.except[4]", 'Invalid value: "::/64": must be a strict subset of `cidr`'),
        (f"{at}[7].ipBlock.cidr", 'Invalid value: "::ffff:10.0.0.0/104": must not have an IPv4-mapped IPv6 address'),
        (f"{at}[8].ipBlock.cidr", 'Invalid value: "10.0.0.0/08": must not have leading 0s in IP or prefix length'),
    ]


def test_a_network_policy_checks_selector_values_and_policy_types() -> None:
    api = _api()
    with pytest.raises(ApiError) as values:
        api.create(NP, {"metadata": {"name": "p"}, "spec": {"podSelector": {"matchExpressions": [
            {"key": "k", "operator": "In", "values": ["-bad-"]}, {"key": "", "operator": "Maybe"}]}}}, "default")
    assert [field for field, _ in _errors(values)] == [
        "spec.podSelector.matchExpressions[0].values[0]", "spec.podSelector.matchExpressions[1].operator",
        "spec.podSelector.matchExpressions[1].key", "spec.podSelector.matchExpressions[1].key",
    ]
    with pytest.raises(ApiError) as many:
        api.create(NP, {"metadata": {"name": "p"}, "spec": {"policyTypes": ["Ingress", "Egress", "Ingress"]}}, "default")
    assert _errors(many) == [
        ("spec.policyTypes", 'Invalid value: ["Ingress","Egress","Ingress"]: may not specify more than two policyTypes'),
    ]
    with pytest.raises(ApiError) as sideways:
        api.create(NP, {"metadata": {"name": "p"}, "spec": {"policyTypes": ["Ingress", "Sideways"]}}, "default")
    assert _errors(sideways) == [
        ("spec.policyTypes[1]", 'Unsupported value: "Sideways": supported values: "Ingress", "Egress"'),
    ]


def test_a_network_policy_update_keeps_what_the_stored_policy_already_had() -> None:
    validate_update = next(s for s in networking.STRATEGIES if s.info.plural == "networkpolicies").validate_update
    assert validate_update is not None
    old: Obj = {"spec": {
        "podSelector": {"matchExpressions": [{"key": "k", "operator": "In", "values": ["-bad-"]}]},
        "ingress": [{"from": [{"ipBlock": {"cidr": "10.0.0.1/8", "except": ["010.1.0.0/16"]}}]}],
    }}
    new: Obj = {"spec": {**old["spec"], "egress": [{"to": [{"ipBlock": {"cidr": "10.0.0.1/8"}}]}]}}
    errs = Errors()
    validate_update(errs, new, old)
    assert errs.causes == []
    new["spec"]["egress"][0]["to"][0]["ipBlock"]["cidr"] = "10.0.0.2/8"
    validate_update(errs, new, old)
    assert [c["field"] for c in errs.causes] == ["spec.egress[0].to[0].ipBlock.cidr"]


# --------------------------------------------------------------------------- IPAddress

_REF: Obj = {"group": "mygroup", "resource": "myresources", "namespace": "foo", "name": "bar"}


def test_an_ip_address_is_named_by_an_ip_in_canonical_form() -> None:
    api = _api()
    api.create(IP, {"metadata": {"name": "fe80::42:1dff:fe84:f9e2"}, "spec": {"parentRef": _REF}})
    api.create(IP, {"metadata": {"name": "255.255.255.255"}, "spec": {"parentRef": _REF}})
    for name, message in (
        ("2001:DB8:0::78", 'must be in canonical form ("2001:db8::78")'),
        ("192.0.2.077", "must not have leading 0s"),
        ("::ffff:192.0.2.1", "must not be an IPv4-mapped IPv6 address"),
        ("foo", "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"),
    ):
        with pytest.raises(ApiError) as bad:
            api.create(IP, {"metadata": {"name": name}, "spec": {"parentRef": _REF}})
        assert _errors(bad) == [("metadata.name", f'Invalid value: "{name}": {message}')]


def test_an_ip_address_needs_a_parent_reference_that_never_changes() -> None:
    api = _api()
    with pytest.raises(ApiError) as missing:
        api.create(IP, {"metadata": {"name": "192.0.2.1"}})
    assert _errors(missing) == [("spec.parentRef", "Required value")]
    with pytest.raises(ApiError) as bad:
        api.create(IP, {"metadata": {"name": "192.0.2.1"}, "spec": {"parentRef": {
            "group": "Bad Group", "resource": "a/b", "namespace": "..", "name": "x%y"}}})
    assert _errors(bad) == [
        ("spec.parentRef.group", f'Invalid value: "Bad Group": {SUBDOMAIN_MSG}'),
        ("spec.parentRef.resource", "Invalid value: \"a/b\": may not contain '/'"),
        ("spec.parentRef.name", "Invalid value: \"x%y\": may not contain '%'"),
        ("spec.parentRef.namespace", "Invalid value: \"..\": may not be '..'"),
    ]
    api.create(IP, {"metadata": {"name": "192.0.2.1"}, "spec": {"parentRef": _REF}})
    with pytest.raises(ApiError) as moved:
        api.patch(IP, "192.0.2.1", {"spec": {"parentRef": {"name": "baz"}}}, "merge")
    assert _errors(moved) == [("spec.parentRef", 'Invalid value: {"Group":"mygroup","Resource":"myresources",'
                                                 '"Namespace":"foo","Name":"baz"}: field is immutable')]
    with pytest.raises(ApiError) as dropped:
        api.patch(IP, "192.0.2.1", {"spec": {"parentRef": None}}, "merge")
    assert _errors(dropped) == [("spec.parentRef", "Required value"),
                                ("spec.parentRef", "Invalid value: null: field is immutable")]


# --------------------------------------------------------------------------- ServiceCIDR


def test_the_default_service_cidr_is_there_from_the_start() -> None:
    cidr = _api().get(SC, "kubernetes")
    assert cidr["spec"] == {"cidrs": ["10.96.0.0/12"]}
    assert cidr["metadata"]["finalizers"] == ["networking.k8s.io/service-cidr-finalizer"]
    # what the real server's default ServiceCIDR controller writes on it
    assert networking.default_service_cidr_ready("2026-01-01T00:00:00Z") == {"conditions": [{
        "type": "Ready", "status": "True", "reason": "", "message": "Kubernetes Service CIDR is ready",
        "lastTransitionTime": "2026-01-01T00:00:00Z",
    }]}


@pytest.mark.parametrize(
    ("cidrs", "expected"),
    [
        ([], [("spec.cidrs", "Required value: at least one CIDR required")]),
        (["10.0.0.0/24", "10.1.0.0/24", "fd00::/64"],
         [("spec.cidrs", 'Invalid value: {"CIDRs":["10.0.0.0/24","10.1.0.0/24","fd00::/64"]}: may only hold up to 2 values')]),
        (["10.252.0.1/24"], [("spec.cidrs[0]", 'Invalid value: "10.252.0.1/24": must not have bits set beyond the prefix length')]),
        (["FD00:252::/64"], [("spec.cidrs[0]", 'Invalid value: "FD00:252::/64": must be in canonical form ("fd00:252::/64")')]),
        (["bogus", "010.0.0.0/8"], [
            ("spec.cidrs[0]", f'Invalid value: "bogus": {CIDR_MSG}'),
            ("spec.cidrs[1]", 'Invalid value: "010.0.0.0/8": must not have leading 0s in IP or prefix length'),
        ]),
        (["10.0.0.0/24", "10.1.0.0/24"], [("spec.cidrs", 'Invalid value: ["10.0.0.0/24","10.1.0.0/24"]: may specify no '
                                           "more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64")]),
    ],
)
def test_a_service_cidr_holds_one_canonical_cidr_per_family(cidrs: list[str], expected: list[tuple[str, str]]) -> None:
    with pytest.raises(ApiError) as bad:
        _api().create(SC, {"metadata": {"name": "x"}, "spec": {"cidrs": cidrs}})
    assert _errors(bad) == expected


def test_a_service_cidr_may_only_become_dual_stack_and_its_status_is_the_servers() -> None:
    api = _api()
    ready = {"conditions": [{"type": "Ready", "status": "True", "reason": "R", "message": "m",
                             "lastTransitionTime": "2026-01-01T00:00:00Z"}]}
    cidr = api.create(SC, {"metadata": {"name": "x"}, "spec": {"cidrs": ["10.253.0.0/28"]}, "status": ready})
    assert cidr["status"] == {}
    with pytest.raises(ApiError) as changed:
        api.patch(SC, "x", {"spec": {"cidrs": ["10.253.1.0/28"]}}, "merge")
    assert _errors(changed) == [("spec.cidrs[0]", 'Invalid value: "10.253.1.0/28": field is immutable')]
    dual = api.patch(SC, "x", {"spec": {"cidrs": ["10.253.0.0/28", "fd00:253::/124"]}}, "merge")
    assert dual["spec"]["cidrs"] == ["10.253.0.0/28", "fd00:253::/124"]
    with pytest.raises(ApiError) as shrunk:
        api.patch(SC, "x", {"spec": {"cidrs": []}}, "merge")
    assert _errors(shrunk) == [("spec.cidrs", "Invalid value: []: field is immutable")]
    written = api.update(SC, {**dual, "status": ready}, subresource="status")
    assert written["status"] == ready


# --------------------------------------------------------------------------- printers


def test_the_tables_have_kubectls_columns() -> None:
    api = _api()
    api.create(IC, {"metadata": {"name": "nginx", "annotations": {networking.DEFAULT_INGRESS_CLASS_ANNOTATION: "true"}},
                    "spec": {"controller": "example.com/x", "parameters": {"apiGroup": "k.io", "kind": "P", "name": "p"}}})
    ing = api.create(ING, {"metadata": {"name": "web"}, "spec": {
        "ingressClassName": "nginx", "tls": [{"hosts": ["a.example.com"]}],
        "rules": [{"host": "a.example.com"}, {"host": "b.example.com"}, {}, {"host": "d.example.com"}, {"host": "e"}]}},
        "default")
    api.update(ING, {**ing, "status": {"loadBalancer": {"ingress": [{"ip": "10.0.0.2"}, {"hostname": "lb.example.com"},
                                                                    {"ip": "10.0.0.1"}]}}}, "default", subresource="status")
    api.create(NP, {"metadata": {"name": "np"}, "spec": {"podSelector": {"matchLabels": {"app": "web"}}}}, "default")
    api.create(IP, {"metadata": {"name": "192.0.2.1"}, "spec": {"parentRef": _REF}})
    api.create(IP, {"metadata": {"name": "192.0.2.2"}, "spec": {"parentRef": {"resource": "Services", "name": "s"}}})

    ingress = _table(api, ING, "default")
    assert _columns(ingress) == ["Name", "Class", "Hosts", "Address", "Ports", "Age"]
    assert ingress["rows"][0]["cells"][:5] == [
        "web", "nginx", "a.example.com,b.example.com,d.example.com + 2 more...", "10.0.0.1,10.0.0.2,lb.example.com",
        "80, 443",
    ]
    ic = _table(api, IC)
    assert _columns(ic) == ["Name", "Controller", "Parameters", "Age"]
    assert ic["rows"][0]["cells"][:3] == ["nginx (default)", "example.com/x", "P.k.io/p"]
    np = _table(api, NP, "default")
    assert _columns(np) == ["Name", "Pod-Selector", "Age"] and np["rows"][0]["cells"][:2] == ["np", "app=web"]
    ips = _table(api, IP)
    assert _columns(ips) == ["Name", "ParentRef"]  # and an age cell no column names, as upstream prints
    assert [r["cells"][:2] for r in ips["rows"]] == [
        ["192.0.2.1", "myresources.mygroup/foo/bar"], ["192.0.2.2", "services/s"],
    ]
    cidrs = _table(api, SC)
    assert _columns(cidrs) == ["Name", "CIDRs", "Age"] and cidrs["rows"][0]["cells"][:2] == ["kubernetes", "10.96.0.0/12"]
