"""core/v1 LimitRanges through the API server, and LimitRanger admission.

The strategy (``SetDefaults_LimitRangeItem``, ``ValidateLimitRange``, the default printer) and the
plugin (``plugin/pkg/admission/limitranger``: container defaults and their annotation, min, max
and ratio per Container and per Pod). The expected causes, defaults and messages are
kube-apiserver v1.36.3's answers to the same requests.
"""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import ApiError, APIServer, tables
from reference_impl.apiserver.admission_limitranger import LIMIT_RANGER_ANNOTATION
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]
NS = "default"
LR = "limitranges"
IMAGE = "registry.k8s.io/pause:3.10"
MIN = {"cpu": "50m", "memory": "100Mi"}
MAX = {"cpu": "500m", "memory": "500Mi"}


def _api() -> APIServer:
    return APIServer(MemoryStore(), EventLoop(), SeededRandom(1))


def _lr(name: str, *items: Obj) -> Obj:
    return {"apiVersion": "v1", "kind": "LimitRange", "metadata": {"name": name}, "spec": {"limits": list(items)}}


def _pod(name: str, *containers: Obj, **spec: Any) -> Obj:
    return {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": name}, "spec": {"containers": list(containers), **spec}}


def _c(name: str = "c", requests: Obj | None = None, limits: Obj | None = None) -> Obj:
    c: Obj = {"name": name, "image": IMAGE}
    res = {k: v for k, v in (("requests", requests), ("limits", limits)) if v}
    if res:
        c["resources"] = res
    return c


def _container_ranges(api: APIServer) -> None:
    """The conformance test's LimitRange: min 50m/100Mi, max and default 500m/500Mi, requests 100m/200Mi."""
    api.create(LR, _lr("lr", {"type": "Container", "min": MIN, "max": MAX, "default": MAX,
                              "defaultRequest": {"cpu": "100m", "memory": "200Mi"}}), NS)


def _refusal(api: APIServer, pod: Obj) -> tuple[int, str]:
    with pytest.raises(ApiError) as excinfo:
        api.create("pods", pod, NS)
    return excinfo.value.code, excinfo.value.message


# --------------------------------------------------------------------------- the strategy


def test_registered_with_its_short_name() -> None:
    info = _api().registry.lookup("limits")
    assert info is not None and (info.plural, info.namespaced, info.subresources) == ("limitranges", True, ())


def test_container_items_default_their_limits_from_max_and_requests_from_default_then_min() -> None:
    lr = _api().create(LR, _lr("lr-defaults", {"type": "Container", "max": {"cpu": "2"},
                                               "min": {"memory": "1Mi", "cpu": "0.1"}}), NS)
    assert lr["spec"]["limits"] == [{
        "type": "Container", "max": {"cpu": "2"}, "min": {"cpu": "100m", "memory": "1Mi"},
        "default": {"cpu": "2"}, "defaultRequest": {"cpu": "2", "memory": "1Mi"},
    }]


def test_pod_items_are_not_defaulted() -> None:
    lr = _api().create(LR, _lr("pod", {"type": "Pod", "max": {"memory": "1Gi"}, "min": {"cpu": "10m"},
                                       "maxLimitRequestRatio": {"cpu": "2"}},
                               {"type": "Container", "min": {"memory": "1Mi"}, "maxLimitRequestRatio": {"memory": "3"}}), NS)
    assert lr["spec"]["limits"] == [
        {"type": "Pod", "max": {"memory": "1Gi"}, "min": {"cpu": "10m"}, "maxLimitRequestRatio": {"cpu": "2"}},
        {"type": "Container", "min": {"memory": "1Mi"}, "maxLimitRequestRatio": {"memory": "3"},
         "defaultRequest": {"memory": "1Mi"}},
    ]


INVALID = "FieldValueInvalid"
LABEL_KEY_MSG = (
    "a valid label key must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an "
    "alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')"
)
CASES: list[tuple[str, Obj, list[tuple[str, str, str]]]] = [
    (
        "min above max, and above the defaults taken from max",
        _lr("bad1", {"type": "Container", "min": {"cpu": "2"}, "max": {"cpu": "1"}}),
        [
            (INVALID, "spec.limits[0].default[cpu]", 'Invalid value: "2": min value 2 is greater than default value 1'),
            (INVALID, "spec.limits[0].defaultRequest[cpu]",
             'Invalid value: "1": min value 2 is greater than default request value 1'),
            (INVALID, "spec.limits[0].min[cpu]", 'Invalid value: "2": min value 2 is greater than max value 1'),
        ],
    ),
    (
        "defaults on a Pod item, a duplicate type, a resource not for containers",
        _lr("bad2", {"type": "Pod", "default": {"cpu": "1"}, "defaultRequest": {"cpu": "1"}},
            {"type": "Pod", "max": {"foo": "1"}}),
        [
            ("FieldValueDuplicate", "spec.limits[1].type", 'Duplicate value: "Pod"'),
            ("FieldValueForbidden", "spec.limits[0].default", "Forbidden: may not be specified when `type` is 'Pod'"),
            ("FieldValueForbidden", "spec.limits[0].defaultRequest",
             "Forbidden: may not be specified when `type` is 'Pod'"),
            (INVALID, "spec.limits[1].max[foo]", 'Invalid value: "foo": must be a standard resource for containers'),
            (INVALID, "spec.limits[1].max[foo]", 'Invalid value: "foo": must be a standard resource type or fully qualified'),
        ],
    ),
    (
        "a claim item without storage bounds, unknown types",
        _lr("bad3", {"type": "PersistentVolumeClaim", "max": {"cpu": "1"}}, {"type": "Bogus"}, {"type": "a/b/c"}),
        [
            ("FieldValueRequired", "spec.limits[0].limits",
             "Required value: either minimum or maximum storage value is required, but neither was provided"),
            (INVALID, "spec.limits[1].type", 'Invalid value: "Bogus": must be a standard limit type or fully qualified'),
            (INVALID, "spec.limits[2].type", f'Invalid value: "a/b/c": {LABEL_KEY_MSG}'),
        ],
    ),
    (
        "a ratio below 1, an extended resource's default and request differing",
        _lr("bad4", {"type": "Container", "maxLimitRequestRatio": {"cpu": "0.5"}, "default": {"example.com/gpu": "2"},
                     "defaultRequest": {"example.com/gpu": "1"}}),
        [
            (INVALID, "spec.limits[0].defaultRequest[example.com/gpu]",
             'Invalid value: "1": default value 2 must equal to defaultRequest value 1 in example.com/gpu'),
            (INVALID, "spec.limits[0].maxLimitRequestRatio[cpu]", 'Invalid value: "500m": ratio 500m is less than 1'),
        ],
    ),
    (
        "a ratio above max/min",
        _lr("bad5", {"type": "Container", "min": {"cpu": "100m"}, "max": {"cpu": "1"}, "maxLimitRequestRatio": {"cpu": "20"}}),
        [(INVALID, "spec.limits[0].maxLimitRequestRatio[cpu]", 'Invalid value: "20": ratio 20 is greater than max/min = 10.000000')],
    ),
    (
        "default request above the default, min above both",
        _lr("bad6", {"type": "Container", "default": {"cpu": "2"}, "defaultRequest": {"cpu": "3"}, "min": {"cpu": "4"}}),
        [
            (INVALID, "spec.limits[0].default[cpu]", 'Invalid value: "4": min value 4 is greater than default value 2'),
            (INVALID, "spec.limits[0].defaultRequest[cpu]",
             'Invalid value: "3": default request value 3 is greater than default limit value 2'),
            (INVALID, "spec.limits[0].defaultRequest[cpu]", 'Invalid value: "3": min value 4 is greater than default request value 3'),
        ],
    ),
]


@pytest.mark.parametrize(("body", "want"), [(b, w) for _, b, w in CASES], ids=[c[0] for c in CASES])
def test_validation_causes_are_the_real_servers(body: Obj, want: list[tuple[str, str, str]]) -> None:
    with pytest.raises(ApiError) as excinfo:
        _api().create(LR, body, NS)
    assert excinfo.value.code == 422
    assert sorted((c["reason"], c["field"], c["message"]) for c in excinfo.value.status["details"]["causes"]) == sorted(want)


def test_printed_as_name_and_created_at() -> None:
    api = _api()
    lr = api.create(LR, _lr("pod", {"type": "Pod", "max": {"memory": "1Gi"}}), NS)
    table = tables.to_table(api.info(LR), [lr], api.clock.now(), strategy=api.registry.strategy(api.info(LR)))
    assert [(c["name"], c["type"]) for c in table["columnDefinitions"]] == [("Name", "string"), ("Created At", "date")]
    assert table["rows"][0]["cells"] == ["pod", lr["metadata"]["creationTimestamp"]]


# --------------------------------------------------------------------------- admission


def test_a_pod_without_resources_gets_the_defaults_and_the_annotation() -> None:
    api = _api()
    _container_ranges(api)
    pod = api.create("pods", _pod("l-none", _c(), _c("d")), NS)
    want = {"limits": MAX, "requests": {"cpu": "100m", "memory": "200Mi"}}
    assert [c["resources"] for c in pod["spec"]["containers"]] == [want, want]
    assert pod["metadata"]["annotations"][LIMIT_RANGER_ANNOTATION] == (
        "LimitRanger plugin set: cpu, memory request for container c; cpu, memory limit for container c; "
        "cpu, memory request for container d; cpu, memory limit for container d"
    )
    assert pod["status"]["qosClass"] == "Burstable"  # the QoS class is computed after the defaults


def test_a_limit_without_a_request_was_already_the_request() -> None:
    # the conformance test's "interesting case": pod defaulting set the cpu request from the limit
    api = _api()
    _container_ranges(api)
    pod = api.create("pods", _pod("l-part", _c("a", {"memory": "150Mi"}, {"cpu": "300m"})), NS)
    assert pod["spec"]["containers"][0]["resources"] == {
        "limits": {"cpu": "300m", "memory": "500Mi"}, "requests": {"cpu": "300m", "memory": "150Mi"},
    }
    assert pod["metadata"]["annotations"][LIMIT_RANGER_ANNOTATION] == "LimitRanger plugin set: memory limit for container a"


def test_init_containers_are_defaulted_too() -> None:
    api = _api()
    _container_ranges(api)
    pod = api.create("pods", _pod("l-init", _c("a", {"cpu": "60m"}), initContainers=[_c("i", None, {"memory": "120Mi"})]), NS)
    assert pod["spec"]["initContainers"][0]["resources"] == {
        "limits": {"cpu": "500m", "memory": "120Mi"}, "requests": {"cpu": "100m", "memory": "120Mi"},
    }
    assert "memory request for container a" in pod["metadata"]["annotations"][LIMIT_RANGER_ANNOTATION]
    assert "cpu request for init container i" in pod["metadata"]["annotations"][LIMIT_RANGER_ANNOTATION]


@pytest.mark.parametrize(
    ("pod", "want"),
    [
        (_pod("l-min", _c("a", {"cpu": "10m", "memory": "50Mi"})),
         (403, 'pods "l-min" is forbidden: [minimum cpu usage per Container is 50m, but request is 10m, '
               "minimum memory usage per Container is 100Mi, but request is 50Mi]")),
        (_pod("l-lim", _c("a", {"cpu": "100m"}, {"cpu": "700m"})),
         (403, 'pods "l-lim" is forbidden: maximum cpu usage per Container is 500m, but limit is 700m')),
        # a request above the defaulted limit is the pod's own validation (defaults come first)
        (_pod("l-bad", _c("a", {"cpu": "600m"}, {"cpu": "500m"})),
         (422, 'Pod "l-bad" is invalid: spec.containers[0].resources.requests: Invalid value: "600m": '
               "must be less than or equal to cpu limit of 500m")),
    ],
    ids=["below-min", "above-max", "request-above-default-limit"],
)
def test_container_bounds(pod: Obj, want: tuple[int, str]) -> None:
    api = _api()
    _container_ranges(api)
    assert _refusal(api, pod) == want


def test_an_updated_range_applies_to_the_next_pod_and_a_deleted_one_to_none() -> None:
    api = _api()
    _container_ranges(api)
    api.patch(LR, "lr", {"spec": {"limits": [{"type": "Container", "min": {"cpu": "9m"}, "max": {"cpu": "500m"}}]}},
              "merge", NS)
    pod = api.create("pods", _pod("l-after", _c("a", {"cpu": "10m"})), NS)
    assert pod["spec"]["containers"][0]["resources"] == {"limits": {"cpu": "500m"}, "requests": {"cpu": "10m"}}
    api.delete(LR, "lr", NS)
    pod = api.create("pods", _pod("free", _c("a", {"cpu": "600m"}, {"cpu": "600m"})), NS)
    assert "annotations" not in pod["metadata"]


POD_RANGES = _lr("pod", {"type": "Pod", "max": {"memory": "1Gi"}, "min": {"cpu": "10m"}, "maxLimitRequestRatio": {"cpu": "2"}},
                 {"type": "Container", "min": {"memory": "1Mi"}, "maxLimitRequestRatio": {"memory": "3"}})


@pytest.mark.parametrize(
    ("pod", "message"),
    [
        (_pod("f1", _c("a", {"cpu": "10m", "memory": "1Mi"}, {"cpu": "1", "memory": "2Gi"})),
         'pods "f1" is forbidden: [maximum memory usage per Pod is 1Gi, but limit is 2Gi, cpu max limit to request '
         "ratio per Pod is 2, but provided ratio is 100.000000, memory max limit to request ratio per Container is 3, "
         "but provided ratio is 2048.000000]"),
        (_pod("f3", _c("a", {"cpu": "5m", "memory": "1Mi"}, {"cpu": "20m", "memory": "3Mi"})),
         'pods "f3" is forbidden: [minimum cpu usage per Pod is 10m, but request is 5m, cpu max limit to request '
         "ratio per Pod is 2, but provided ratio is 4.000000]"),
        (_pod("f4", _c("a", {"memory": "1Mi"}, {"memory": "3Mi"})),
         'pods "f4" is forbidden: [minimum cpu usage per Pod is 10m.  No request is specified, cpu max limit to '
         "request ratio per Pod is 2, but no request is specified or request is 0]"),
    ],
    ids=["max-and-ratios", "min-and-ratio", "no-request"],
)
def test_pod_bounds_are_over_the_pods_sums(pod: Obj, message: str) -> None:
    api = _api()
    api.create(LR, POD_RANGES, NS)
    assert _refusal(api, pod) == (403, message)


def test_two_containers_sum_to_the_pods_minimum() -> None:
    api = _api()
    api.create(LR, POD_RANGES, NS)
    two = _pod("f2", _c("a", {"cpu": "5m", "memory": "1Mi"}, {"cpu": "10m", "memory": "3Mi"}),
               _c("b", {"cpu": "5m", "memory": "1Mi"}, {"cpu": "10m", "memory": "3Mi"}))
    assert api.create("pods", two, NS)["status"]["qosClass"] == "Burstable"


def test_limit_ranges_apply_before_quota_admission() -> None:
    api = _api()
    api.create(LR, _lr("min", {"type": "Container", "min": {"memory": "1Mi"}}), NS)
    q = api.create("resourcequotas", {"metadata": {"name": "fq"}, "spec": {"hard": {"requests.memory": "4Mi"}}}, NS)
    q["status"] = {"hard": {"requests.memory": "4Mi"}, "used": {"requests.memory": "2Mi"}}
    api.update("resourcequotas", q, NS, subresource="status")
    # no memory request: the LimitRange's defaultRequest (1Mi, from its min) is what the quota charges
    api.create("pods", _pod("f5", _c("a", {"cpu": "10m"}, {"cpu": "20m"})), NS)
    assert api.get("resourcequotas", "fq", NS)["status"]["used"] == {"requests.memory": "3Mi"}
    # and a memory limit without a request was the request before any admission
    assert _refusal(api, _pod("f6", _c("a", {"cpu": "10m"}, {"memory": "3Mi"}))) == (
        403, 'pods "f6" is forbidden: exceeded quota: fq, requested: requests.memory=3Mi, used: requests.memory=3Mi, '
             "limited: requests.memory=4Mi",
    )
