"""The reference kube-controller-manager's controllers (``pkg/controller/*``), one module each."""

from reference_impl.controllers.manager import CONTROLLERS, ControllerManager

__all__ = ["CONTROLLERS", "ControllerManager"]
