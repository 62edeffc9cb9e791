"""The ``networking.k8s.io/v1`` group: Ingress, IngressClass, NetworkPolicy, IPAddress, ServiceCIDR.

Models, for the five kinds kube-apiserver v1.36 serves at ``networking.k8s.io/v1``
(``pkg/registry/networking/rest/storage_settings.go``):

- defaulting, ``pkg/apis/networking/v1/defaults.go``: a NetworkPolicy's ``policyTypes``
  (``[Ingress]``, plus ``Egress`` when it has egress rules) and each port's ``protocol: TCP``; an
  IngressClass's ``parameters.scope: Cluster``; the structs Go always encodes (a NetworkPolicy's
  ``spec.podSelector``, the ``spec`` of every kind);
- validation, ``pkg/apis/networking/validation/validation.go``: an Ingress's default backend or
  rules (hosts, wildcard hosts, HTTP paths by path type, backends: exactly one of service and
  resource, a service named as a DNS-1123 label — ``RelaxedServiceNameValidation`` is on in
  v1.36 — with a port name or number), TLS hosts and secret names, class name and the legacy
  ``kubernetes.io/ingress.class`` annotation (create only), status addresses; an IngressClass's
  controller (a domain-prefixed path, at most 250 bytes, immutable) and parameters (kind, name,
  scope, namespace); a NetworkPolicy's selectors (label values included, unless the stored
  policy's pod selector already had bad ones), ports and end ports, peers (exactly one of
  ipBlock and selectors), ipBlock CIDRs and their strict-subset exceptions (a CIDR the stored
  policy had is kept without a check), policy types; an IPAddress's name (an IP in canonical
  form) and its immutable parent reference; a ServiceCIDR's one or two CIDRs (canonical, one of
  each family), fixed on update but for a single-stack CIDR becoming dual-stack. IPs and CIDRs
  are checked as v1.36 does with ``StrictIPCIDRValidation`` on (no leading zeros, no IPv4-mapped
  IPv6, no bits beyond the prefix);
- the strategies, ``pkg/registry/networking/*/strategy.go``: an Ingress's status reset on create
  and kept on spec writes; generation 1 on create and bumped on spec changes for Ingress,
  IngressClass and NetworkPolicy; a ServiceCIDR's status wiped on create and kept on spec writes
  (``ServiceCIDRStatusFieldWiping``, on in v1.36); an Ingress status write checks its addresses
  only, a ServiceCIDR status write nothing but its metadata;
- the printers, ``pkg/printers/internalversion/printers.go``: NAME CLASS HOSTS ADDRESS PORTS AGE,
  NAME CONTROLLER PARAMETERS AGE (a default class named ``<name> (default)``), NAME POD-SELECTOR
  AGE, NAME PARENTREF (and an AGE cell with no column, as upstream prints), NAME CIDRS AGE;
- the default ServiceCIDR ``kubernetes`` that kube-apiserver's
  ``pkg/controlplane/controller/defaultservicecidr`` creates at start, with the finalizer
  kube-controller-manager's servicecidrs controller puts on it. Its range is the reference's
  default service range, ``10.96.0.0/12``, whatever ``service_cidr`` an API server is given (the
  strategies' bootstrap objects are fixed).

:func:`admit_ingress` is the DefaultIngressClass admission plugin
(``plugin/pkg/admission/network/defaultingressclass``) for the API server to call on an Ingress
create: an Ingress naming no class (and without the legacy annotation) gets the newest default
IngressClass.

Leaves out: the v1beta1 versions; the IPAddress objects the ClusterIP allocator writes for every
Service (``MultiCIDRServiceAllocator``: here Services allocate from the server's own range) and
the ServiceCIDR controllers (the ``Ready`` condition — :func:`default_service_cidr_ready` is the
default one's, for the server to write — finalizers on new ServiceCIDRs, keeping the default
one); the strategies' warnings; an Ingress status write that also changes metadata (upstream's
Ingress status strategy keeps the body's labels and annotations; the reference's status writes
all keep the stored metadata); until the server calls :func:`admit_ingress`, no default class;
``noopNameGenerator`` (an IPAddress made with
``generateName`` gets a random suffix here, where upstream uses the prefix as the name). The
metadata checks of the server use a DNS-subdomain name rule for every kind of a strategy, so an
IPAddress's validation swaps those causes for its own name rule's (see :func:`_ip_address_name`).
"""

from __future__ import annotations

import ipaddress
import re
from collections.abc import Iterable, Mapping
from typing import Any

from reference_impl.apiserver.registry.info import ResourceInfo
from reference_impl.apiserver.registry.strategy import Column, Strategy
from reference_impl.apiserver.tables import format_selector, since
from reference_impl.apiserver.validation import (
    FIELD_IMMUTABLE,
    Errors,
    GoText,
    _is_valid_port_name,
    _is_valid_port_num,
    _label_selector,
    _object_meta,
    go_json,
    is_dns1123_label,
    is_dns1123_subdomain,
)

Obj = dict[str, Any]
IPAddr = ipaddress.IPv4Address | ipaddress.IPv6Address
IPNet = ipaddress.IPv4Network | ipaddress.IPv6Network

GROUP = "networking.k8s.io"
INGRESS_CLASS_ANNOTATION = "kubernetes.io/ingress.class"
DEFAULT_INGRESS_CLASS_ANNOTATION = "ingressclass.kubernetes.io/is-default-class"
MAX_LEN_INGRESS_CLASS_CONTROLLER = 250
PATH_TYPES = ("Exact", "ImplementationSpecific", "Prefix")  # sets.NewString(...).List(): sorted
INVALID_PATH_SEQUENCES = ("//", "/./", "/../", "%2f", "%2F")
INVALID_PATH_SUFFIXES = ("/..", "/.")
PARAMETER_SCOPES = ("Cluster", "Namespace")
POLICY_TYPES = ("Ingress", "Egress")
PROTOCOLS = ("TCP", "UDP", "SCTP")
DEFAULT_SERVICE_CIDR = "kubernetes"
SERVICE_CIDR_FINALIZER = "networking.k8s.io/service-cidr-finalizer"

_WILDCARD_DNS1123_SUBDOMAIN_FMT = "\\*\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*"
_WILDCARD_DNS1123_SUBDOMAIN_RE = re.compile(f"^{_WILDCARD_DNS1123_SUBDOMAIN_FMT}$")
_WILDCARD_MSG = (
    "a wildcard DNS-1123 subdomain must start with '*.', followed by a valid DNS subdomain, which must "
    "consist of lower case alphanumeric characters, '-' or '.' and end with an alphanumeric character "
    f"(e.g. '*.example.com', regex used for validation is '{_WILDCARD_DNS1123_SUBDOMAIN_FMT}')"
)
_HTTP_PATH_FMT = "[A-Za-z0-9/\\-._~%!$&'()*+,;=:]+"
_HTTP_PATH_RE = re.compile(f"^{_HTTP_PATH_FMT}$")
_IPV4_SLOPPY_RE = re.compile(r"^[0-9]+\.[0-9]+\.[0-9]+\.[0-9]+$")
_DIGITS_RE = re.compile(r"^[0-9]+$")
IP_MSG = "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
CIDR_MSG = "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)"


def _dict(value: Any) -> Obj:
    return value if isinstance(value, dict) else {}


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []


def _meta(obj: Obj) -> Obj:
    return _dict(obj.get("metadata"))


def _str(value: Any) -> str:
    return "" if value is None else str(value)


# --------------------------------------------------------------------------- IPs and CIDRs


def _parse_ip_sloppy(value: str) -> IPAddr | None:
    """``netutils.ParseIPSloppy``: Go 1.16's ``net.ParseIP``, whose IPv4 octets may carry leading
    zeros (read as decimal). Zones are not IPs to it."""
    if "%" in value:
        return None
    try:
        return ipaddress.ip_address(value)
    except ValueError:
        pass
    if _IPV4_SLOPPY_RE.match(value):
        octets = [int(part) for part in value.split(".")]
        if all(o <= 255 for o in octets):
            return ipaddress.IPv4Address(".".join(map(str, octets)))
    return None


def _ip_errors(value: str) -> list[str]:
    """``parseIP``'s messages, strict as v1.36's ``StrictIPCIDRValidation`` has it (the legacy fields'
    ``IsValidIPForLegacyField`` included)."""
    ip = _parse_ip_sloppy(value)
    if ip is None:
        return [IP_MSG]
    errors: list[str] = []
    if isinstance(ip, ipaddress.IPv4Address) and str(ip) != value:  # only the sloppy parse took it
        errors.append("must not have leading 0s")
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        errors.append("must not be an IPv4-mapped IPv6 address")
    return errors


def ip_errors(value: str) -> list[str]:
    """``IsValidIP``: a strictly valid IP in canonical form (as an IPAddress is named)."""
    errors = _ip_errors(value)
    if errors:
        return errors
    ip = _parse_ip_sloppy(value)
    if ip is not None and str(ip) != value:
        return [f'must be in canonical form ("{ip}")']
    return []


def _parse_cidr_sloppy(value: str) -> tuple[IPAddr, IPNet] | None:
    """``netutils.ParseCIDRSloppy``: the address and its masked network."""
    addr, sep, bits = value.partition("/")
    ip = _parse_ip_sloppy(addr) if sep else None
    if ip is None or not _DIGITS_RE.match(bits):
        return None
    prefix = int(bits)
    if prefix > ip.max_prefixlen:
        return None
    return ip, ipaddress.ip_network(f"{ip}/{prefix}", strict=False)


def _cidr_errors(value: str) -> list[str]:
    """``parseCIDR``'s messages, strict as v1.36 has it."""
    parsed = _parse_cidr_sloppy(value)
    if parsed is None:
        return [CIDR_MSG]
    ip, net = parsed
    addr, _, bits = value.partition("/")
    if (isinstance(ip, ipaddress.IPv4Address) and str(ip) != addr) or (len(bits) > 1 and bits.startswith("0")):
        return ["must not have leading 0s in IP or prefix length"]
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        return ["must not have an IPv4-mapped IPv6 address"]
    if ip != net.network_address:
        return ["must not have bits set beyond the prefix length"]
    return []


def _cidr(errs: Errors, value: str, path: str, allowed: Iterable[str] = ()) -> None:
    """``IsValidCIDRForLegacyField`` (strict; a value in ``allowed`` is not checked)."""
    if value in allowed:
        return
    for msg in _cidr_errors(value):
        errs.invalid(path, value, msg)


def _canonical_cidr(errs: Errors, value: str, path: str) -> None:
    """``IsValidCIDR``: strictly valid and in canonical form."""
    messages = _cidr_errors(value)
    parsed = _parse_cidr_sloppy(value)
    if not messages and parsed is not None and str(parsed[1]) != value:
        messages = [f'must be in canonical form ("{parsed[1]}")']
    for msg in messages:
        errs.invalid(path, value, msg)


def _ip_family(cidr: str) -> int:
    parsed = _parse_cidr_sloppy(cidr)
    return 0 if parsed is None else parsed[0].version


# --------------------------------------------------------------------------- shared checks


def _path_segment_name(name: str) -> list[str]:
    """``content.IsPathSegmentName``."""
    if name in (".", ".."):
        return [f"may not be '{name}'"]
    return [f"may not contain '{bad}'" for bad in ("/", "%") if bad in name]


def _wildcard_subdomain(value: str) -> list[str]:
    """``IsWildcardDNS1123Subdomain``."""
    errors = []
    if len(value) > 253:
        errors.append("must be no more than 253 characters")
    if not _WILDCARD_DNS1123_SUBDOMAIN_RE.match(value):
        errors.append(_WILDCARD_MSG)
    return errors


def _host(errs: Errors, host: str, path: str) -> None:
    checks = _wildcard_subdomain if "*" in host else is_dns1123_subdomain
    for msg in checks(host):
        errs.invalid(path, host, msg)


def _selector_is_invalid(selector: Any) -> bool:
    check = Errors()
    _label_selector(check, _dict(selector), "", allow_invalid_values=False)
    return bool(check.causes)


# --------------------------------------------------------------------------- Ingress


def _spec_of(obj: Obj) -> Obj:
    """The ``spec`` struct, added when absent: Go encodes it even when empty (every kind here has one)."""
    spec = obj.get("spec")
    if not isinstance(spec, dict):
        spec = obj["spec"] = {}
    return spec


def _ensure_spec(obj: Obj) -> None:
    _spec_of(obj)


def _prepare_ingress(obj: Obj) -> None:
    """``PrepareForCreate``: the status is the zero ``IngressStatus`` (its struct encodes)."""
    obj["status"] = {"loadBalancer": {}}


def _backend(errs: Errors, backend: Obj, path: str) -> None:
    """``validateIngressBackend`` (service names relaxed to DNS-1123 labels, as v1.36 has it)."""
    resource, service = backend.get("resource"), backend.get("service")
    if resource is not None and service is not None:
        errs.invalid(path, "", "cannot set both resource and service backends")
        return
    if isinstance(resource, dict):
        _typed_reference(errs, resource, f"{path}.resource")
    elif isinstance(service, dict):
        name = _str(service.get("name"))
        if not name:
            errs.required(f"{path}.service.name")
        else:
            for msg in is_dns1123_label(name):
                errs.invalid(f"{path}.service.name", name, msg)
        port = _dict(service.get("port"))
        port_name, number = _str(port.get("name")), port.get("number") or 0
        if port_name and number:
            errs.invalid(path, "", "cannot set both port name & port number")
        elif port_name:
            for msg in _is_valid_port_name(port_name):
                errs.invalid(f"{path}.service.port.name", port_name, msg)
        elif number:
            for msg in _is_valid_port_num(number):
                errs.invalid(f"{path}.service.port.number", number, msg)
        else:
            errs.required(path, "port name or number is required")
    else:
        errs.invalid(path, "", "resource or service backend is required")


def _typed_reference(errs: Errors, ref: Obj, path: str) -> None:
    """``validateIngressTypedLocalObjectReference``."""
    group = ref.get("apiGroup")
    if group is not None:
        for msg in is_dns1123_subdomain(_str(group)):
            errs.invalid(f"{path}.apiGroup", group, msg)
    for key in ("kind", "name"):
        value = _str(ref.get(key))
        if not value:
            errs.required(f"{path}.{key}")
        for msg in _path_segment_name(value):
            errs.invalid(f"{path}.{key}", value, msg)


def _http_path(errs: Errors, rule_path: Obj, path: str) -> None:
    """``validateHTTPIngressPath``."""
    path_type = rule_path.get("pathType")
    if path_type is None:
        errs.required(f"{path}.pathType", "pathType must be specified")
        return
    value = _str(rule_path.get("path"))
    if path_type in ("Exact", "Prefix"):
        if not value.startswith("/"):
            errs.invalid(f"{path}.path", value, "must be an absolute path")
        for seq in INVALID_PATH_SEQUENCES:
            if seq in value:
                errs.invalid(f"{path}.path", value, f"must not contain '{seq}'")
        for suffix in INVALID_PATH_SUFFIXES:
            if value.endswith(suffix):
                errs.invalid(f"{path}.path", value, f"cannot end with '{suffix}'")
    elif path_type == "ImplementationSpecific":
        if value and not value.startswith("/"):
            errs.invalid(f"{path}.path", value, "must be an absolute path")
    else:
        errs.not_supported(f"{path}.pathType", path_type, PATH_TYPES)
    _backend(errs, _dict(rule_path.get("backend")), f"{path}.backend")


def _rule_value_errors(rule: Obj, path: str) -> Errors:
    """``validateIngressRuleValue``: the HTTP paths of one rule."""
    errs = Errors()
    http = rule.get("http")
    if isinstance(http, dict):
        paths = _list(http.get("paths"))
        if not paths:
            errs.required(f"{path}.http.paths")
        for i, rule_path in enumerate(paths):
            _http_path(errs, _dict(rule_path), f"{path}.http.paths[{i}]")
    return errs


def _ingress_spec(errs: Errors, spec: Obj, *, allow_invalid_secret: bool, allow_invalid_wildcard: bool) -> None:
    """``ValidateIngressSpec``."""
    rules = _list(spec.get("rules"))
    default_backend = spec.get("defaultBackend")
    if not rules and default_backend is None:
        errs.invalid("spec", go_json(spec.get("rules")), "either `defaultBackend` or `rules` must be specified")
    if isinstance(default_backend, dict):
        _backend(errs, default_backend, "spec.defaultBackend")
    for i, rule in enumerate(rules):
        rule, path = _dict(rule), f"spec.rules[{i}]"
        host = _str(rule.get("host"))
        if host:
            if _parse_ip_sloppy(host) is not None:
                errs.invalid(f"{path}.host", host, "must be a DNS name, not an IP address")
            _host(errs, host, f"{path}.host")
        if "*" not in host or not allow_invalid_wildcard:
            errs.causes.extend(_rule_value_errors(rule, path).causes)
    for i, tls in enumerate(_list(spec.get("tls"))):
        tls = _dict(tls)
        for j, tls_host in enumerate(_list(tls.get("hosts"))):
            _host(errs, _str(tls_host), f"spec.tls[{i}].hosts[{j}]")
        secret = _str(tls.get("secretName"))
        if not allow_invalid_secret and secret:
            for msg in is_dns1123_subdomain(secret):
                errs.invalid(f"spec.tls[{i}].secretName", secret, msg)
    class_name = spec.get("ingressClassName")
    if class_name is not None:
        for msg in is_dns1123_subdomain(_str(class_name)):
            errs.invalid("spec.ingressClassName", class_name, msg)


def _validate_ingress(errs: Errors, obj: Obj) -> None:
    """``ValidateIngressCreate`` (the server checked the metadata first)."""
    spec = _dict(obj.get("spec"))
    _ingress_spec(errs, spec, allow_invalid_secret=False, allow_invalid_wildcard=False)
    annotations = _dict(_meta(obj).get("annotations"))
    annotation, class_name = annotations.get(INGRESS_CLASS_ANNOTATION), spec.get("ingressClassName")
    if annotation is not None and class_name is not None and annotation != class_name:
        errs.invalid(
            f"annotations.{INGRESS_CLASS_ANNOTATION}", annotation, "must match `ingressClassName` when both are specified"
        )


def _load_balancer_status(errs: Errors, status: Obj, old_status: Obj) -> None:
    """``ValidateIngressLoadBalancerStatus`` (an address the stored status had is kept as it was)."""
    old_ips = {_str(_dict(i).get("ip")) for i in _list(_dict(old_status.get("loadBalancer")).get("ingress"))}
    for i, ingress in enumerate(_list(_dict(status.get("loadBalancer")).get("ingress"))):
        ingress, path = _dict(ingress), f"status.loadBalancer.ingress[{i}]"
        ip, hostname = _str(ingress.get("ip")), _str(ingress.get("hostname"))
        if ip and ip not in old_ips:
            for msg in _ip_errors(ip):
                errs.invalid(f"{path}.ip", ip, msg)
        if hostname:
            for msg in is_dns1123_subdomain(hostname):
                errs.invalid(f"{path}.hostname", hostname, msg)
            if _parse_ip_sloppy(hostname) is not None:
                errs.invalid(f"{path}.hostname", hostname, "must be a DNS name, not an IP address")


def _validate_ingress_status_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """``ValidateIngressStatusUpdate`` (after the server's metadata checks): the addresses."""
    _load_balancer_status(errs, _dict(obj.get("status")), _dict(old.get("status")))


def _validate_ingress_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """``ValidateIngressUpdate`` (after the server's metadata-update checks)."""
    old_spec = _dict(old.get("spec"))
    # allowInvalidSecretName, allowInvalidWildcardHostRule: what the stored object already had stays
    allow_secret = any(
        bool(_dict(t).get("secretName")) and bool(is_dns1123_subdomain(_str(_dict(t).get("secretName"))))
        for t in _list(old_spec.get("tls"))
    )
    allow_wildcard = any(
        "*" in _str(_dict(r).get("host")) and bool(_rule_value_errors(_dict(r), "").causes)
        for r in _list(old_spec.get("rules"))
    )
    _object_meta(errs, "Ingress", obj)
    _ingress_spec(errs, _dict(obj.get("spec")), allow_invalid_secret=allow_secret, allow_invalid_wildcard=allow_wildcard)


def _ingress_address(obj: Obj) -> str:
    """``ingressLoadBalancerStatusStringer``, wide (the server's tables always are)."""
    seen: set[str] = set()
    for ingress in _list(_dict(_dict(obj.get("status")).get("loadBalancer")).get("ingress")):
        ingress = _dict(ingress)
        value = _str(ingress.get("ip")) or _str(ingress.get("hostname"))
        if value:
            seen.add(value)
    return ",".join(sorted(seen))


def _ingress_hosts(rules: list[Any]) -> str:
    """``formatHosts``: the first three hosts, then how many rules more."""
    hosts: list[str] = []
    more = False
    for rule in rules:
        if len(hosts) == 3:
            more = True
        host = _str(_dict(rule).get("host"))
        if not more and host:
            hosts.append(host)
    if not hosts:
        return "*"
    return ",".join(hosts) + (f" + {len(rules) - 3} more..." if more else "")


def _ingress_cells(obj: Obj, now: float) -> list[Any]:
    meta, spec = _meta(obj), _dict(obj.get("spec"))
    class_name = spec.get("ingressClassName")
    return [
        meta.get("name", ""), "<none>" if class_name is None else class_name, _ingress_hosts(_list(spec.get("rules"))),
        _ingress_address(obj), "80, 443" if _list(spec.get("tls")) else "80", since(meta.get("creationTimestamp"), now),
    ]


def admit_ingress(ingress: Obj, classes: Mapping[str, Obj]) -> None:
    """DefaultIngressClass admission on create, ``classes`` the stored IngressClasses by name: an
    Ingress with no class (and no legacy annotation) gets the newest IngressClass annotated as the
    default (by name on a tie), if there is one."""
    spec = ingress.setdefault("spec", {})
    if not isinstance(spec, dict) or spec.get("ingressClassName") is not None:
        return
    if INGRESS_CLASS_ANNOTATION in _dict(_meta(ingress).get("annotations")):
        return
    defaults = [c for c in classes.values() if _dict(_meta(c).get("annotations")).get(DEFAULT_INGRESS_CLASS_ANNOTATION) == "true"]
    if not defaults:
        return
    # the newest, the first name on a tie (``max`` keeps the first of equals); the timestamps are
    # RFC 3339 UTC in one format, so they order as text
    by_name = sorted(defaults, key=lambda c: _str(_meta(c).get("name")))
    newest = max(by_name, key=lambda c: _str(_meta(c).get("creationTimestamp")))
    spec["ingressClassName"] = _meta(newest).get("name")


# --------------------------------------------------------------------------- IngressClass


def _default_ingress_class(obj: Obj) -> None:
    params = _spec_of(obj).get("parameters")
    if isinstance(params, dict) and params.get("scope") is None:
        params["scope"] = "Cluster"


def _domain_prefixed_path(errs: Errors, value: str, path: str) -> None:
    """``IsDomainPrefixedPath``."""
    if not value:
        errs.required(path)
        return
    host, sep, rest = value.partition("/")
    if not sep or not host or not rest:
        errs.invalid(path, value, 'must be a domain-prefixed path (such as "acme.io/foo")')
        return
    for msg in is_dns1123_subdomain(host):
        errs.invalid(path, host, msg)
    if not _HTTP_PATH_RE.match(rest):
        errs.invalid(path, rest, f"Invalid path (regex used for validation is '{_HTTP_PATH_FMT}')")


def _class_parameters(errs: Errors, params: Obj, path: str) -> None:
    """``validateIngressClassParametersReference``."""
    _typed_reference(errs, params, path)
    scope = params.get("scope")
    if scope is None:
        errs.required(f"{path}.scope")
        return
    namespace = params.get("namespace")
    if scope not in PARAMETER_SCOPES:
        errs.not_supported(f"{path}.scope", scope, PARAMETER_SCOPES)
    elif scope == "Namespace":
        if namespace is None:
            errs.required(f"{path}.namespace", "`parameters.scope` is set to 'Namespace'")
        else:
            for msg in is_dns1123_label(_str(namespace)):
                errs.invalid(f"{path}.namespace", namespace, msg)
    elif namespace is not None:
        errs.forbidden(f"{path}.namespace", "`parameters.scope` is set to 'Cluster'")


def _validate_ingress_class(errs: Errors, obj: Obj) -> None:
    """``validateIngressClassSpec``."""
    spec = _dict(obj.get("spec"))
    controller = _str(spec.get("controller"))
    if len(controller) > MAX_LEN_INGRESS_CLASS_CONTROLLER:
        errs.too_long("spec.controller", MAX_LEN_INGRESS_CLASS_CONTROLLER)
    _domain_prefixed_path(errs, controller, "spec.controller")
    params = spec.get("parameters")
    if isinstance(params, dict):
        _class_parameters(errs, params, "spec.parameters")


def _validate_ingress_class_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """``ValidateIngressClassUpdate``: the controller is fixed, then ``ValidateIngressClass`` again
    (its metadata checks included, so a bad label is reported twice, as upstream reports it)."""
    controller = _str(_dict(obj.get("spec")).get("controller"))
    if controller != _str(_dict(old.get("spec")).get("controller")):
        errs.invalid("spec.controller", controller, FIELD_IMMUTABLE)
    _object_meta(errs, "IngressClass", obj)
    _validate_ingress_class(errs, obj)


def _ingress_class_cells(obj: Obj, now: float) -> list[Any]:
    meta, spec = _meta(obj), _dict(obj.get("spec"))
    name = _str(meta.get("name"))
    if _dict(meta.get("annotations")).get(DEFAULT_INGRESS_CLASS_ANNOTATION) == "true":
        name += " (default)"
    params = spec.get("parameters")
    shown = "<none>"
    if isinstance(params, dict):
        shown = _str(params.get("kind"))
        if params.get("apiGroup") is not None:
            shown += "." + _str(params.get("apiGroup"))
        shown += "/" + _str(params.get("name"))
    return [name, _str(spec.get("controller")), shown, since(meta.get("creationTimestamp"), now)]


# --------------------------------------------------------------------------- NetworkPolicy


def _rules_of(spec: Obj) -> Iterable[tuple[str, str, Obj]]:
    """(direction, peers key, rule) for every ingress then egress rule."""
    for direction, peers in (("ingress", "from"), ("egress", "to")):
        for rule in _list(spec.get(direction)):
            yield direction, peers, _dict(rule)


def _default_network_policy(obj: Obj) -> None:
    spec = _spec_of(obj)
    if not isinstance(spec.get("podSelector"), dict):
        spec["podSelector"] = {}
    for _direction, _peers, rule in _rules_of(spec):
        for port in _list(rule.get("ports")):
            if isinstance(port, dict) and port.get("protocol") is None:
                port["protocol"] = "TCP"
    if not _list(spec.get("policyTypes")):
        spec["policyTypes"] = ["Ingress", "Egress"] if _list(spec.get("egress")) else ["Ingress"]


def _policy_port(errs: Errors, port: Obj, path: str) -> None:
    """``ValidateNetworkPolicyPort``."""
    protocol = port.get("protocol")
    if protocol is not None and protocol not in PROTOCOLS:
        errs.not_supported(f"{path}.protocol", protocol, PROTOCOLS)
    number, end = port.get("port"), port.get("endPort")
    if number is None:
        if end is not None:
            errs.invalid(f"{path}.endPort", end, "may not be specified when `port` is not specified")
    elif isinstance(number, int):
        for msg in _is_valid_port_num(number):
            errs.invalid(f"{path}.port", number, msg)
        if isinstance(end, int):
            if end < number:
                errs.invalid(f"{path}.endPort", number, "must be greater than or equal to `port`")
            for msg in _is_valid_port_num(end):
                errs.invalid(f"{path}.endPort", end, msg)
    else:
        if end is not None:
            errs.invalid(f"{path}.endPort", end, "may not be specified when `port` is non-numeric")
        for msg in _is_valid_port_name(_str(number)):
            errs.invalid(f"{path}.port", _str(number), msg)


def _ip_block(errs: Errors, block: Obj, path: str, allowed: list[str]) -> None:
    """``ValidateIPBlock``."""
    cidr = _str(block.get("cidr"))
    if not cidr:
        errs.required(f"{path}.cidr")
        return
    _cidr(errs, cidr, f"{path}.cidr", allowed)
    parsed = _parse_cidr_sloppy(cidr)
    if parsed is None:
        return
    net = parsed[1]
    for i, except_cidr in enumerate(_list(block.get("except"))):
        except_cidr, except_path = _str(except_cidr), f"{path}.except[{i}]"
        _cidr(errs, except_cidr, except_path, allowed)
        except_parsed = _parse_cidr_sloppy(except_cidr)
        if except_parsed is None:
            continue
        except_net = except_parsed[1]
        contains = except_net.version == net.version and except_net.network_address in net
        if not contains or net.prefixlen >= except_net.prefixlen:
            errs.invalid(except_path, except_cidr, "must be a strict subset of `cidr`")


def _peer(errs: Errors, peer: Obj, path: str, *, allow_invalid_values: bool, allowed: list[str]) -> None:
    """``ValidateNetworkPolicyPeer``."""
    count = 0
    for key in ("podSelector", "namespaceSelector"):
        if isinstance(peer.get(key), dict):
            count += 1
            _label_selector(errs, peer[key], f"{path}.{key}", allow_invalid_values=allow_invalid_values)
    block = peer.get("ipBlock")
    if isinstance(block, dict):
        count += 1
        _ip_block(errs, block, f"{path}.ipBlock", allowed)
    if count == 0:
        errs.required(path, "must specify a peer")
    elif count > 1 and isinstance(block, dict):
        errs.forbidden(path, "may not specify both ipBlock and another peer")


def _policy_spec(errs: Errors, spec: Obj, *, allow_invalid_values: bool, allowed: list[str]) -> None:
    """``ValidateNetworkPolicySpec``."""
    _label_selector(errs, _dict(spec.get("podSelector")), "spec.podSelector", allow_invalid_values=allow_invalid_values)
    for direction, peers_key in (("ingress", "from"), ("egress", "to")):
        for i, rule in enumerate(_list(spec.get(direction))):
            rule, rule_path = _dict(rule), f"spec.{direction}[{i}]"
            for j, port in enumerate(_list(rule.get("ports"))):
                _policy_port(errs, _dict(port), f"{rule_path}.ports[{j}]")
            for j, peer in enumerate(_list(rule.get(peers_key))):
                _peer(errs, _dict(peer), f"{rule_path}.{peers_key}[{j}]",
                      allow_invalid_values=allow_invalid_values, allowed=allowed)
    types = _list(spec.get("policyTypes"))
    if len(types) > len(POLICY_TYPES):
        errs.invalid("spec.policyTypes", go_json(types), "may not specify more than two policyTypes")
        return
    for i, policy_type in enumerate(types):
        if policy_type not in POLICY_TYPES:
            errs.not_supported(f"spec.policyTypes[{i}]", policy_type, POLICY_TYPES)


def _validate_network_policy(errs: Errors, obj: Obj) -> None:
    _policy_spec(errs, _dict(obj.get("spec")), allow_invalid_values=False, allowed=[])


def _validate_network_policy_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """``ValidateNetworkPolicyUpdate``: bad selector values and CIDRs the stored policy already had stay."""
    old_spec = _dict(old.get("spec"))
    allowed: list[str] = []
    for _direction, peers_key, rule in _rules_of(old_spec):
        for peer in _list(rule.get(peers_key)):
            block = _dict(peer).get("ipBlock")
            if isinstance(block, dict):
                allowed.append(_str(block.get("cidr")))
                allowed.extend(_str(e) for e in _list(block.get("except")))
    allow_values = _selector_is_invalid(old_spec.get("podSelector"))
    _policy_spec(errs, _dict(obj.get("spec")), allow_invalid_values=allow_values, allowed=allowed)


def _network_policy_cells(obj: Obj, now: float) -> list[Any]:
    meta = _meta(obj)
    selector = _dict(_dict(obj.get("spec")).get("podSelector"))
    return [meta.get("name", ""), format_selector(selector), since(meta.get("creationTimestamp"), now)]


# --------------------------------------------------------------------------- IPAddress


def _ip_address_name(errs: Errors, obj: Obj) -> None:
    """``ValidateIPAddressName`` in place of the DNS-subdomain causes the server's metadata check
    gave ``metadata.name``/``metadata.generateName`` (it has one name rule for every strategy's
    kind): the name must be an IP in canonical form. The server refused a body with neither
    before validating, so the name is there."""
    fields = ("metadata.generateName", "metadata.name")
    at = next((i for i, c in enumerate(errs.causes) if c["field"] in fields), 0)
    errs.causes[:] = [c for c in errs.causes if c["field"] not in fields]
    mine = Errors()
    meta = _meta(obj)
    for field, key in zip(fields, ("generateName", "name"), strict=True):
        value = _str(meta.get(key))
        for msg in ip_errors(value) if value else ():
            mine.invalid(field, value, msg)
    errs.causes[at:at] = mine.causes


def _parent_ref(errs: Errors, obj: Obj) -> None:
    """``validateIPAddressParentReference``."""
    ref = _dict(obj.get("spec")).get("parentRef")
    if not isinstance(ref, dict):
        errs.required("spec.parentRef")
        return
    path = "spec.parentRef"
    group = _str(ref.get("group"))
    if group:
        for msg in is_dns1123_subdomain(group):
            errs.invalid(f"{path}.group", group, msg)
    for key, required in (("resource", True), ("name", True), ("namespace", False)):
        value = _str(ref.get(key))
        if not value:
            if required:
                errs.required(f"{path}.{key}")
            continue
        for msg in _path_segment_name(value):
            errs.invalid(f"{path}.{key}", value, msg)


def _validate_ip_address(errs: Errors, obj: Obj) -> None:
    _ip_address_name(errs, obj)
    _parent_ref(errs, obj)


def _go_parent_ref(ref: Any) -> GoText:
    """An internal ``*networking.ParentReference`` as ``json.Marshal`` renders it (Go's field names)."""
    if not isinstance(ref, dict):
        return GoText("null")
    return go_json({k.capitalize(): _str(ref.get(k)) for k in ("group", "resource", "namespace", "name")})


def _validate_ip_address_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """The strategy's ``ValidateIPAddress`` (metadata included) then ``ValidateIPAddressUpdate``."""
    _object_meta(errs, "IPAddress", obj)
    _validate_ip_address(errs, obj)
    ref = _dict(obj.get("spec")).get("parentRef")
    if ref != _dict(old.get("spec")).get("parentRef"):
        errs.invalid("spec.parentRef", _go_parent_ref(ref), FIELD_IMMUTABLE)


def _ip_address_cells(obj: Obj, now: float) -> list[Any]:
    meta = _meta(obj)
    ref = _dict(obj.get("spec")).get("parentRef")
    parent = "<none>"
    if isinstance(ref, dict):
        group, resource = _str(ref.get("group")), _str(ref.get("resource"))
        parent = (f"{resource}.{group}" if group else resource).lower()
        if ref.get("namespace"):
            parent += "/" + _str(ref.get("namespace"))
        parent += "/" + _str(ref.get("name"))
    return [meta.get("name", ""), parent, since(meta.get("creationTimestamp"), now)]


# --------------------------------------------------------------------------- ServiceCIDR


def _prepare_service_cidr(obj: Obj) -> None:
    """``PrepareForCreate`` with ``ServiceCIDRStatusFieldWiping``: the zero status (its struct encodes)."""
    obj["status"] = {}


def _cidrs(errs: Errors, cidrs: list[Any]) -> None:
    """``validateServiceCIDRSpec``."""
    path = "spec.cidrs"
    if not cidrs:
        errs.required(path, "at least one CIDR required")
        return
    if len(cidrs) > 2:
        errs.invalid(path, go_json({"CIDRs": cidrs}), "may only hold up to 2 values")
        return
    for i, cidr in enumerate(cidrs):
        _canonical_cidr(errs, _str(cidr), f"{path}[{i}]")
    if len(cidrs) == 2:
        first, second = _ip_family(_str(cidrs[0])), _ip_family(_str(cidrs[1]))
        if first == second and first != 0:
            errs.invalid(
                path, go_json(cidrs),
                "may specify no more than one IP for each IP family, i.e 192.168.0.0/24 and 2001:db8::/64",
            )


def _validate_service_cidr(errs: Errors, obj: Obj) -> None:
    _cidrs(errs, _list(_dict(obj.get("spec")).get("cidrs")))


def _validate_service_cidr_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """``ValidateServiceCIDRUpdate``."""
    new, before = _list(_dict(obj.get("spec")).get("cidrs")), _list(_dict(old.get("spec")).get("cidrs"))
    if len(new) == len(before):
        for i, (cidr, old_cidr) in enumerate(zip(new, before, strict=True)):
            if cidr != old_cidr:
                errs.invalid(f"spec.cidrs[{i}]", cidr, FIELD_IMMUTABLE)
    elif len(before) == 1 and len(new) == 2:
        if new[0] != before[0]:
            errs.invalid("spec.cidrs[0]", new[0], FIELD_IMMUTABLE)
        _cidrs(errs, new)
    else:  # a nil slice marshals as null, an empty one as []
        cidrs = _dict(obj.get("spec")).get("cidrs")
        errs.invalid("spec.cidrs", go_json(cidrs if isinstance(cidrs, list) else None), FIELD_IMMUTABLE)


def _validate_service_cidr_status_update(errs: Errors, obj: Obj, old: Obj) -> None:
    """``ValidateServiceCIDRStatusUpdate``: the metadata only, which the server checks."""


def _service_cidr_cells(obj: Obj, now: float) -> list[Any]:
    meta = _meta(obj)
    cidrs = ",".join(_str(c) for c in _list(_dict(obj.get("spec")).get("cidrs")))
    return [meta.get("name", ""), cidrs, since(meta.get("creationTimestamp"), now)]


def default_service_cidr_ready(now: str) -> Obj:
    """The status ``defaultservicecidr`` writes once its ServiceCIDR exists (``now``: RFC 3339)."""
    return {"conditions": [{
        "type": "Ready", "status": "True", "reason": "", "message": "Kubernetes Service CIDR is ready",
        "lastTransitionTime": now,
    }]}


#: What ``defaultservicecidr`` creates (for the reference's default service range, 10.96.0.0/12).
BOOTSTRAP_SERVICE_CIDRS: tuple[Obj, ...] = (
    {
        "apiVersion": f"{GROUP}/v1", "kind": "ServiceCIDR",
        "metadata": {"name": DEFAULT_SERVICE_CIDR, "finalizers": [SERVICE_CIDR_FINALIZER]},
        "spec": {"cidrs": ["10.96.0.0/12"]},
    },
)


# --------------------------------------------------------------------------- the strategies

_NAME: Column = ("Name", "string", 0, "name")
_AGE: Column = ("Age", "string", 0, "")


def _info(
    kind: str, plural: str, *, namespaced: bool = False, short: tuple[str, ...] = (),
    subresources: tuple[str, ...] = (), generation: bool = False,
) -> ResourceInfo:
    return ResourceInfo(GROUP, "v1", kind, plural, kind.lower(), namespaced, short, subresources, generation)


STRATEGIES: tuple[Strategy, ...] = (
    Strategy(
        _info("Ingress", "ingresses", namespaced=True, short=("ing",), subresources=("status",), generation=True),
        default=_ensure_spec,
        validate=_validate_ingress,
        validate_update=_validate_ingress_update,
        validate_status_update=_validate_ingress_status_update,
        status_resets_metadata=False,
        columns=(
            _NAME, ("Class", "string", 0, ""), ("Hosts", "string", 0, ""), ("Address", "string", 0, ""),
            ("Ports", "string", 0, ""), _AGE,
        ),
        cells=_ingress_cells,
        prepare_create=_prepare_ingress,
    ),
    Strategy(
        _info("IngressClass", "ingressclasses", generation=True),
        default=_default_ingress_class,
        validate=_validate_ingress_class,
        validate_update=_validate_ingress_class_update,
        columns=(_NAME, ("Controller", "string", 0, ""), ("Parameters", "string", 0, ""), _AGE),
        cells=_ingress_class_cells,
    ),
    Strategy(
        _info("NetworkPolicy", "networkpolicies", namespaced=True, short=("netpol",), generation=True),
        default=_default_network_policy,
        validate=_validate_network_policy,
        validate_update=_validate_network_policy_update,
        columns=(_NAME, ("Pod-Selector", "string", 0, ""), _AGE),
        cells=_network_policy_cells,
    ),
    Strategy(
        _info("IPAddress", "ipaddresses", short=("ip",)),
        default=_ensure_spec,
        validate=_validate_ip_address,
        validate_update=_validate_ip_address_update,
        columns=(_NAME, ("ParentRef", "string", 0, "")),
        cells=_ip_address_cells,
    ),
    Strategy(
        _info("ServiceCIDR", "servicecidrs", subresources=("status",)),
        default=_ensure_spec,
        validate=_validate_service_cidr,
        validate_update=_validate_service_cidr_update,
        validate_status_update=_validate_service_cidr_status_update,
        columns=(_NAME, ("CIDRs", "string", 0, ""), _AGE),
        cells=_service_cidr_cells,
        prepare_create=_prepare_service_cidr,
        bootstrap=BOOTSTRAP_SERVICE_CIDRS,
    ),
)
