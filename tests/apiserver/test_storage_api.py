"""storage.k8s.io/v1 through the API server: StorageClass, CSIDriver, CSINode, CSIStorageCapacity
and VolumeAttachment are defaulted, validated, generation-bumped and printed as kube-apiserver
v1.36 does (``pkg/apis/storage``, ``pkg/registry/storage``, ``pkg/printers/internalversion``)."""

from __future__ import annotations

from typing import Any

import pytest

from reference_impl.apiserver import REGISTRY, ApiError, APIServer, tables
from reference_impl.apiserver._json import dumps
from reference_impl.sim import EventLoop, SeededRandom
from reference_impl.store import MemoryStore

Obj = dict[str, Any]

GV = "storage.k8s.io/v1"
SC = f"{GV}/storageclasses"
CSID = f"{GV}/csidrivers"
CSIN = f"{GV}/csinodes"
CAP = f"{GV}/csistoragecapacities"
VA = f"{GV}/volumeattachments"

SUBDOMAIN_MSG = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', "
    "and must start and end with an alphanumeric character (e.g. 'example.com', regex used for "
    "validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')"
)


def _api() -> APIServer:
    return APIServer(MemoryStore(), EventLoop(), SeededRandom(1))


def _causes(excinfo: pytest.ExceptionInfo[ApiError]) -> list[Obj]:
    assert excinfo.value.code == 422
    causes: list[Obj] = excinfo.value.status["details"]["causes"]
    return causes


def _cause(reason: str, field: str, message: str) -> Obj:
    return {"reason": reason, "message": message, "field": field}


def _attachment(name: str = "va", **spec: Any) -> Obj:
    body = {"attacher": "csi.example.com", "nodeName": "node-1", "source": {"persistentVolumeName": "pv-1"}, **spec}
    return {"metadata": {"name": name}, "spec": body}


# --------------------------------------------------------------------------- discovery facts


def test_the_group_serves_five_resources_with_upstreams_scopes() -> None:
    sc = REGISTRY.lookup("sc")
    assert sc is not None and sc.plural == "storageclasses" and not sc.namespaced
    cap = REGISTRY.lookup(CAP)
    assert cap is not None and cap.namespaced
    va = REGISTRY.lookup(VA)
    assert va is not None and va.subresources == ("status",) and not va.namespaced
    for resource in (CSID, CSIN):
        info = REGISTRY.lookup(resource)
        assert info is not None and not info.namespaced


# --------------------------------------------------------------------------- StorageClass


def test_a_storage_class_is_defaulted_and_its_provisioner_required() -> None:
    api = _api()
    sc = api.create(SC, {"metadata": {"name": "fast"}, "provisioner": "csi.example.com"})
    assert sc["reclaimPolicy"] == "Delete" and sc["volumeBindingMode"] == "Immediate"
    assert "generation" not in sc["metadata"]
    with pytest.raises(ApiError) as missing:
        api.create(SC, {"metadata": {"name": "none"}})
    assert _causes(missing) == [_cause("FieldValueRequired", "provisioner", "Required value")]
    with pytest.raises(ApiError) as bad:
        api.create(SC, {
            "metadata": {"name": "bad"}, "provisioner": "a/b/c", "reclaimPolicy": "Recycle",
            "volumeBindingMode": "Later", "parameters": {"": "x"},
        })
    assert _causes(bad) == [
        _cause(
            "FieldValueInvalid", "provisioner",
            'Invalid value: "a/b/c": a valid label key must consist of alphanumeric characters, \'-\', \'_\' or '
            "'.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or "
            "'123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional "
            "DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
        ),
        _cause("FieldValueInvalid", "parameters", 'Invalid value: "": field can not be empty.'),
        _cause("FieldValueNotSupported", "reclaimPolicy",
               'Unsupported value: "Recycle": supported values: "Delete", "Retain"'),
        _cause("FieldValueNotSupported", "volumeBindingMode",
               'Unsupported value: "Later": supported values: "Immediate", "WaitForFirstConsumer"'),
    ]


def test_a_storage_class_keeps_its_provisioner_parameters_and_policies() -> None:
    api = _api()
    api.create(SC, {"metadata": {"name": "fast"}, "provisioner": "csi.example.com", "parameters": {"a": "1"}})
    relabelled = api.patch(SC, "fast", {"metadata": {"labels": {"tier": "gold"}}, "allowVolumeExpansion": True}, "merge")
    assert relabelled["allowVolumeExpansion"] is True
    with pytest.raises(ApiError) as bad:
        api.patch(SC, "fast", {
            "provisioner": "other.example.com", "parameters": {"a": "2"}, "reclaimPolicy": "Retain",
            "volumeBindingMode": "WaitForFirstConsumer",
        }, "merge")
    assert _causes(bad) == [
        _cause("FieldValueForbidden", "parameters", "Forbidden: updates to parameters are forbidden."),
        _cause("FieldValueForbidden", "provisioner", "Forbidden: updates to provisioner are forbidden."),
        _cause("FieldValueForbidden", "reclaimPolicy", "Forbidden: updates to reclaimPolicy are forbidden."),
        _cause("FieldValueInvalid", "volumeBindingMode", 'Invalid value: "WaitForFirstConsumer": field is immutable'),
    ]


def test_a_storage_class_checks_its_allowed_topologies() -> None:
    api = _api()
    with pytest.raises(ApiError) as bad:
        api.create(SC, {"metadata": {"name": "topo"}, "provisioner": "csi.example.com", "allowedTopologies": [
            {"matchLabelExpressions": [{"key": "zone", "values": []}, {"key": "zone", "values": ["a", "a"]}]},
        ]})
    expr = "allowedTopologies[0].matchLabelExpressions"
    assert _causes(bad) == [
        _cause("FieldValueRequired", f"{expr}[0].values", "Required value"),
        _cause("FieldValueDuplicate", f"{expr}[1].values[1]", 'Duplicate value: "a"'),
        _cause("FieldValueDuplicate", f"{expr}[1].key", 'Duplicate value: "zone"'),
    ]


# --------------------------------------------------------------------------- CSIDriver


def test_a_csi_driver_is_defaulted_and_bumps_its_generation() -> None:
    api = _api()
    driver = api.create(CSID, {"metadata": {"name": "csi.example.com"}})
    assert driver["spec"] == {
        "attachRequired": True, "podInfoOnMount": False, "storageCapacity": False,
        "fsGroupPolicy": "ReadWriteOnceWithFSType", "volumeLifecycleModes": ["Persistent"],
        "requiresRepublish": False, "seLinuxMount": False,
    }
    assert driver["metadata"]["generation"] == 1
    relabelled = api.patch(CSID, "csi.example.com", {"metadata": {"labels": {"a": "b"}}}, "merge")
    assert relabelled["metadata"]["generation"] == 1
    changed = api.patch(CSID, "csi.example.com", {"spec": {"podInfoOnMount": True}}, "merge")
    assert changed["metadata"]["generation"] == 2


def test_a_csi_driver_checks_enums_and_keeps_attach_required_and_modes() -> None:
    api = _api()
    with pytest.raises(ApiError) as bad:
        api.create(CSID, {"metadata": {"name": "csi.example.com"}, "spec": {
            "fsGroupPolicy": "Always", "volumeLifecycleModes": ["Forever"],
        }})
    once = [
        _cause("FieldValueNotSupported", "spec.fsGroupPolicy",
               'Unsupported value: "Always": supported values: "File", "None", "ReadWriteOnceWithFSType"'),
        _cause("FieldValueNotSupported", "spec.volumeLifecycleModes",
               'Unsupported value: "Forever": supported values: "Persistent", "Ephemeral"'),
    ]
    assert _causes(bad) == once + once  # the strategy validates the driver twice
    api.create(CSID, {"metadata": {"name": "csi.example.com"}})
    with pytest.raises(ApiError) as immutable:
        api.patch(CSID, "csi.example.com", {"spec": {
            "attachRequired": False, "volumeLifecycleModes": ["Persistent", "Ephemeral"],
        }}, "merge")
    assert _causes(immutable) == [
        _cause("FieldValueInvalid", "spec.attachedRequired", "Invalid value: false: field is immutable"),
        _cause("FieldValueInvalid", "spec.volumeLifecycleModes",
               'Invalid value: []storage.VolumeLifecycleMode{"Persistent", "Ephemeral"}: field is immutable'),
    ]
    with pytest.raises(ApiError) as short_token:
        api.patch(CSID, "csi.example.com", {"spec": {"tokenRequests": [
            {"audience": "a", "expirationSeconds": 60}, {"audience": "a"},
        ]}}, "merge")
    assert _causes(short_token)[:2] == [
        _cause("FieldValueInvalid", "spec.tokenRequests[0].expirationSeconds",
               "Invalid value: 60: may not specify a duration less than 10 minutes"),
        _cause("FieldValueDuplicate", "spec.tokenRequests[1].audience", 'Duplicate value: "a"'),
    ]


# --------------------------------------------------------------------------- CSINode


def test_a_csi_node_checks_its_drivers_and_keeps_them_but_their_allocatable() -> None:
    api = _api()
    with pytest.raises(ApiError) as bad:
        api.create(CSIN, {"metadata": {"name": "node-1"}, "spec": {"drivers": [
            {"name": "csi.example.com", "nodeID": ""},
            {"name": "csi.example.com", "nodeID": "n", "allocatable": {"count": -1}},
        ]}})
    assert _causes(bad) == [
        _cause("FieldValueRequired", "spec.drivers[0].nodeID", "Required value"),
        _cause("FieldValueInvalid", "spec.drivers[1].allocatable.count",
               "Invalid value: -1: must be greater than or equal to 0"),
        _cause("FieldValueDuplicate", "spec.drivers[1].name", 'Duplicate value: "csi.example.com"'),
    ]
    node = {"metadata": {"name": "node-1"}, "spec": {"drivers": [
        {"name": "csi.example.com", "nodeID": "n1", "topologyKeys": ["zone"], "allocatable": {"count": 3}},
    ]}}
    api.create(CSIN, node)
    grown = api.get(CSIN, "node-1")
    grown["spec"]["drivers"][0]["allocatable"] = {"count": 5}
    assert api.update(CSIN, grown)["spec"]["drivers"][0]["allocatable"] == {"count": 5}
    moved = api.get(CSIN, "node-1")
    moved["spec"]["drivers"][0]["nodeID"] = "n2"
    with pytest.raises(ApiError) as immutable:
        api.update(CSIN, moved)
    assert _causes(immutable) == [_cause(
        "FieldValueInvalid", "spec.drivers",
        'Invalid value: storage.CSINodeDriver{Name:"csi.example.com", NodeID:"n2", TopologyKeys:[]string{"zone"}, '
        "Allocatable:(*storage.VolumeNodeResources)(nil)}: field is immutable",
    )]


# --------------------------------------------------------------------------- CSIStorageCapacity


def test_a_capacity_is_namespaced_needs_a_class_and_keeps_its_inputs() -> None:
    api = _api()
    with pytest.raises(ApiError) as bad:
        api.create(CAP, {"metadata": {"name": "cap"}, "capacity": "-1Gi"}, "default")
    assert _causes(bad) == [
        _cause("FieldValueInvalid", "storageClassName", f'Invalid value: "": {SUBDOMAIN_MSG}'),
        _cause("FieldValueInvalid", "capacity", 'Invalid value: "-1Gi": must be greater than or equal to 0'),
    ]
    cap = api.create(CAP, {
        "metadata": {"name": "cap"}, "storageClassName": "fast", "capacity": "1024Mi",
        "nodeTopology": {"matchLabels": {"zone": "a"}},
    }, "default")
    assert cap["capacity"] == "1Gi" and cap["metadata"]["namespace"] == "default"
    grown = api.patch(CAP, "cap", {"capacity": "2Gi", "maximumVolumeSize": "1Gi"}, "merge", "default")
    assert grown["capacity"] == "2Gi"
    with pytest.raises(ApiError) as immutable:
        api.patch(CAP, "cap", {"storageClassName": "slow", "nodeTopology": {"matchLabels": {"zone": "b"}}},
                  "merge", "default")
    assert _causes(immutable) == [
        _cause("FieldValueInvalid", "nodeTopology",
               'Invalid value: v1.LabelSelector{MatchLabels:map[string]string{"zone":"b"}, '
               "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is immutable"),
        _cause("FieldValueInvalid", "storageClassName", 'Invalid value: "slow": field is immutable'),
    ]


# --------------------------------------------------------------------------- VolumeAttachment


def test_a_volume_attachment_checks_its_spec_and_resets_its_status() -> None:
    api = _api()
    va = api.create(VA, {**_attachment(), "status": {"attached": True}})
    assert va["status"] == {"attached": False}
    with pytest.raises(ApiError) as both:
        api.create(VA, _attachment("both", source={"persistentVolumeName": "pv", "inlineVolumeSpec": {}}))
    assert _causes(both) == [_cause(
        "FieldValueForbidden", "spec.source", "Forbidden: must specify exactly one of inlineVolumeSpec and persistentVolumeName"
    )]
    with pytest.raises(ApiError) as neither:
        api.create(VA, _attachment("neither", source={}, nodeName="Node_1"))
    assert _causes(neither) == [
        _cause("FieldValueRequired", "spec.source",
               "Required value: must specify exactly one of inlineVolumeSpec and persistentVolumeName"),
        _cause("FieldValueInvalid", "spec.nodeName", f'Invalid value: "Node_1": {SUBDOMAIN_MSG}'),
    ]
    with pytest.raises(ApiError) as no_attacher:
        api.create(VA, _attachment("anon", attacher=""))
    assert [c["field"] for c in _causes(no_attacher)] == ["spec.attacher", "spec.attacher", "spec.attacher"]


def test_a_volume_attachment_spec_is_immutable_and_its_status_written_through_status() -> None:
    api = _api()
    api.create(VA, _attachment())
    relabelled = api.patch(VA, "va", {"metadata": {"labels": {"a": "b"}}, "status": {"attached": True}}, "merge")
    assert relabelled["status"] == {"attached": False}  # a spec write keeps the status
    with pytest.raises(ApiError) as immutable:
        api.patch(VA, "va", {"spec": {"nodeName": "node-2"}}, "merge")
    assert _causes(immutable) == [_cause(
        "FieldValueInvalid", "spec",
        'Invalid value: storage.VolumeAttachmentSpec{Attacher:"csi.example.com", '
        "Source:storage.VolumeAttachmentSource{PersistentVolumeName:(*string)(0xc000010000), "
        'InlineVolumeSpec:(*core.PersistentVolumeSpec)(nil)}, NodeName:"node-2"}: field is immutable',
    )]
    attached = api.patch(VA, "va", {"status": {"attached": True, "attachmentMetadata": {"dev": "/dev/sdb"}}},
                         "merge", subresource="status")
    assert attached["status"] == {"attached": True, "attachmentMetadata": {"dev": "/dev/sdb"}}
    with pytest.raises(ApiError) as bad_code:
        api.patch(VA, "va", {"status": {"attachError": {"message": "x", "errorCode": -1}}}, "merge",
                  subresource="status")
    assert _causes(bad_code) == [_cause(
        "FieldValueInvalid", "status.attachError.errorCode", "Invalid value: -1: must be between 0 and 2147483647, inclusive"
    )]
    api.delete(VA, "va")
    assert api.list(VA)["items"] == []


# --------------------------------------------------------------------------- printers


def _table(api: APIServer, resource: str, namespace: str | None = None) -> Obj:
    info = REGISTRY.lookup(resource)
    assert info is not None
    items = api.list(resource, namespace)["items"]
    return tables.to_table(info, items, 0.0, strategy=REGISTRY.strategy(info))


def test_the_tables_have_kubectls_columns() -> None:
    api = _api()
    api.create(SC, {"metadata": {"name": "std", "annotations": {"storageclass.kubernetes.io/is-default-class": "true"}},
                    "provisioner": "csi.example.com"})
    api.create(CSID, {"metadata": {"name": "csi.example.com"}, "spec": {"tokenRequests": [{"audience": "vault"}]}})
    api.create(CSIN, {"metadata": {"name": "node-1"}, "spec": {"drivers": [{"name": "csi.example.com", "nodeID": "n"}]}})
    api.create(CAP, {"metadata": {"name": "cap"}, "storageClassName": "std"}, "default")
    api.create(VA, _attachment())

    def columns(table: Obj) -> list[str]:
        return [c["name"] for c in table["columnDefinitions"]]

    sc = _table(api, SC)
    assert columns(sc) == ["Name", "Provisioner", "ReclaimPolicy", "VolumeBindingMode", "AllowVolumeExpansion", "Age"]
    assert sc["rows"][0]["cells"][:5] == ["std (default)", "csi.example.com", "Delete", "Immediate", False]
    driver = _table(api, CSID)
    assert columns(driver) == [
        "Name", "AttachRequired", "PodInfoOnMount", "StorageCapacity", "TokenRequests", "RequiresRepublish", "Modes", "Age",
    ]
    assert driver["rows"][0]["cells"][:7] == ["csi.example.com", True, False, False, "vault", False, "Persistent"]
    node = _table(api, CSIN)
    assert columns(node) == ["Name", "Drivers", "Age"] and node["rows"][0]["cells"][:2] == ["node-1", 1]
    cap = _table(api, CAP, "default")
    assert columns(cap) == ["Name", "StorageClassName", "Capacity"]
    assert cap["rows"][0]["cells"] == ["cap", "std", "<unset>"]
    va = _table(api, VA)
    assert columns(va) == ["Name", "Attacher", "PV", "Node", "Attached", "Age"]
    assert va["rows"][0]["cells"][:5] == ["va", "csi.example.com", "pv-1", "node-1", False]


def test_a_csi_driver_reports_its_metadata_twice_as_its_strategy_validates_twice() -> None:
    api = _api()
    with pytest.raises(ApiError) as bad:
        api.create(CSID, {"metadata": {"name": "Bad_Name"}})
    cause = _cause("FieldValueInvalid", "metadata.name", f'Invalid value: "Bad_Name": {SUBDOMAIN_MSG}')
    assert _causes(bad) == [cause, cause]


def test_a_capacity_keeping_an_old_invalid_selector_value_may_still_be_updated() -> None:
    store = MemoryStore()
    api = APIServer(store, EventLoop(), SeededRandom(1))
    bad_value: Obj = {"matchExpressions": [{"key": "zone", "operator": "In", "values": ["-bad-"]}]}
    with pytest.raises(ApiError) as invalid:
        api.create(CAP, {"metadata": {"name": "cap"}, "storageClassName": "std", "nodeTopology": bad_value}, "default")
    assert [c["field"] for c in _causes(invalid)] == ["nodeTopology.matchExpressions[0].values[0]"]
    store.put(  # an object stored before the values check existed
        "/registry/csistoragecapacities.storage.k8s.io/default/cap",
        dumps({"apiVersion": GV, "kind": "CSIStorageCapacity", "storageClassName": "std", "nodeTopology": bad_value,
               "metadata": {"name": "cap", "namespace": "default", "uid": "u", "creationTimestamp": "2026-01-01T00:00:00Z"}}),
    )
    grown = api.patch(CAP, "cap", {"capacity": "1Gi"}, "merge", "default")
    assert grown["capacity"] == "1Gi"
