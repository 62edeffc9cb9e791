"""A resource's REST strategy: how the API server defaults, validates and prints one kind.

Models upstream's per-resource strategy (``pkg/registry/<group>/<resource>/strategy.go``:
``PrepareForCreate``/``PrepareForUpdate``, ``Validate``/``ValidateUpdate``), its defaulting
(``pkg/apis/<group>/<version>/defaults.go``) and its printer (``pkg/printers/internalversion``):
the API server's generic code (``server.py``, ``tables.py``) asks the strategy of a resource for
each of these, so adding a built-in resource is one strategy in its group's module here
(``registry/<group>.py``) and nothing else.

The resources served before this seam existed (core/v1, apps, batch, ...) still dispatch through
the per-concern tables of ``defaults.py``, ``validation.py`` and ``tables.py``; they move here one
group at a time. Leaves out: upstream's ``Canonicalize`` and ``WarningsOnCreate`` (no warnings).

Beyond upstream's strategy interface, a strategy also names the objects its resource has in a
fresh cluster (``bootstrap``: what upstream's post-start hooks create, such as the flowcontrol
configuration objects of ``pkg/registry/flowcontrol/ensurer``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from reference_impl.apiserver.registry.info import ResourceInfo
from reference_impl.apiserver.validation import Errors

Obj = dict[str, Any]
Column = tuple[str, str, int, str]  # name, type, priority, format (as tables.py)


def no_defaults(obj: Obj) -> None:
    """A kind whose version declares no ``SetDefaults_`` function."""


def no_checks(errs: Errors, obj: Obj) -> None:
    """A kind whose ``Validate<Kind>`` checks only its metadata (which the server always checks)."""


def reset_status(obj: Obj) -> None:
    """The ``PrepareForCreate`` of a kind with a status subresource: status is the server's to set."""
    obj.pop("status", None)


@dataclass(frozen=True, slots=True)
class Strategy:
    """One resource: its facts and what the generic REST code calls for it.

    ``prepare_create`` runs before defaulting on create (upstream's ``PrepareForCreate``; by
    default it drops a status the client sent when the resource has a status subresource).
    ``validate`` runs on create (after metadata validation); ``validate_update`` on every update
    of the main resource or a subresource, with the stored object as ``old`` (None → ``validate``
    again when anything outside metadata and status changed, as most upstream strategies do).
    ``generation_from`` names the top-level field whose change bumps ``metadata.generation``
    (when ``info.generation``). ``columns``/``cells`` are the ``kubectl get`` table; none → Name
    and Age, the server's default printer. ``update_subresource(name, body, old)`` builds the
    object to store for a PUT or PATCH of a subresource other than status and scale (its
    strategy's ``PrepareForUpdate``, e.g. a CSR's ``approval``), which must be listed in
    ``info.subresources``. ``bootstrap`` objects are created at start when absent.
    A write of the ``status`` subresource runs ``default_status`` on the object to store (the
    request's status on the stored object; e.g. a custom resource's schema defaults) and is
    validated by ``validate_status_update`` when given (the status strategy's
    ``ValidateUpdate``), else by ``validate_update``; it keeps the stored metadata
    (``ResetObjectMetaForStatus``) unless ``status_resets_metadata`` is false (a status strategy
    whose ``PrepareForUpdate`` copies only the spec, as an Ingress's does).
    """

    info: ResourceInfo
    default: Callable[[Obj], None] = no_defaults
    validate: Callable[[Errors, Obj], None] = no_checks
    validate_update: Callable[[Errors, Obj, Obj], None] | None = None
    generation_from: str = "spec"
    columns: tuple[Column, ...] = ()
    cells: Callable[[Obj, float], list[Any]] | None = None
    prepare_create: Callable[[Obj], None] | None = None
    update_subresource: Callable[[str, Obj, Obj], Obj] | None = None
    bootstrap: tuple[Obj, ...] = ()
    default_status: Callable[[Obj], None] | None = None
    # DefaultGarbageCollectionPolicy: what a DELETE without a propagationPolicy does to dependents
    default_propagation: str = "Background"
    validate_status_update: Callable[[Errors, Obj, Obj], None] | None = None
    status_resets_metadata: bool = True

    def prepare_for_create(self, obj: Obj) -> None:
        if self.prepare_create is not None:
            self.prepare_create(obj)
        elif self.info.has_status:
            reset_status(obj)
