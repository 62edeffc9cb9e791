"""kconform: property-based conformance and chaos testing for Kubernetes.

Public surface: :mod:`kconform.strategies`, :mod:`kconform.invariants`, :mod:`kconform.faults`,
:mod:`kconform.backends`. Everything named with a leading underscore is private.
"""

from kconform.errors import BackendUnavailable, CapabilityMissing, InvalidArgument, KconformError

__version__ = "0.1.0"
__all__ = ["BackendUnavailable", "CapabilityMissing", "InvalidArgument", "KconformError", "__version__"]
