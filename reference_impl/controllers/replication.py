"""The replication manager: the ReplicaSet controller run over ReplicationControllers.

Models ``pkg/controller/replication/replication_controller.go`` and ``conversion.go``: upstream's
``ReplicationManager`` *is* a ``ReplicaSetController`` whose informer, lister and client convert
each RC to a ReplicaSet and back, as if it were an older API version of one. Here the RC is kept
as it is and the few places the ReplicaSet code depends on the kind are class attributes of
:class:`~reference_impl.controllers.replicaset.ReplicaSetController`: the kind and version of
the controller reference it sets on pods (``v1`` ``ReplicationController``), the resource it
watches and writes status to, the events' source (``replication-controller``: reasons
``SuccessfulCreate``/``SuccessfulDelete``/``FailedCreate``/``FailedDelete`` with the ReplicaSet
controller's messages, which are ``RealPodControl``'s for both) and the selector: an RC's is a
map, which the conversion turns into a ``LabelSelector`` of ``matchLabels``
(``Convert_Map_string_To_string_To_v1_LabelSelector``).

Everything else (claiming, expectations, slow-start creation, ranked deletion, the status with
its ``ReplicaFailure`` condition) is the ReplicaSet controller's. Leaves out what upstream's RC
wrapper leaves out (``terminatingReplicas``, the stale-controller consistency store) and the
non-convertible-field annotations a selector the conversion cannot express would get (an RC's
map selector always converts).
"""

from __future__ import annotations

import functools
import json
from typing import Any, ClassVar

from reference_impl.apiserver.registry.core import rc_selector
from reference_impl.apiserver.selectors import LabelSelector, label_selector_from_dict
from reference_impl.controllers.replicaset import ReplicaSetController

Obj = dict[str, Any]


@functools.lru_cache(maxsize=4096)
def _selector_from_json(text: str) -> LabelSelector:
    # every pod event asks each RC in the namespace: parse each distinct selector once
    return label_selector_from_dict(json.loads(text))


class ReplicationManager(ReplicaSetController):
    """``NewReplicationManager``: the ReplicaSet controller over ``replicationcontrollers``."""

    API_VERSION: ClassVar[str] = "v1"
    KIND: ClassVar[str] = "ReplicationController"
    RESOURCE: ClassVar[str] = "replicationcontrollers"
    COMPONENT: ClassVar[str] = "replication-controller"
    QUEUE_NAME: ClassVar[str] = "replicationmanager"

    def selector(self, rs: Obj) -> LabelSelector:
        """The RC's map selector as the RS→RC conversion makes it: ``matchLabels``."""
        return _selector_from_json(json.dumps(rc_selector(rs), sort_keys=True))
