"""client-go for the reference components: a client, informers, work queues and an event recorder.

The only road from a component to the API server (``staging/src/k8s.io/client-go``). Watch
events reach a component asynchronously, through the event loop, as they would over a network;
a partitioned client's requests fail and its watches stall, which is what makes faults real.
"""

from reference_impl.client.client import Client, Unreachable
from reference_impl.client.events import EventRecorder
from reference_impl.client.informer import Informer, obj_key, unchanged
from reference_impl.client.workqueue import WorkQueue

__all__ = ["Client", "EventRecorder", "Informer", "Unreachable", "WorkQueue", "obj_key", "unchanged"]

from reference_impl.client.component import Component, InformerFactory

__all__ += ["Component", "InformerFactory"]
