"""A miniature, deterministic Kubernetes control plane and node agents.

Every component is named after the real binary or controller it models (see each module's
docstring). Time, ordering and randomness come only from :mod:`reference_impl.sim`, so the
same seed and the same program replay the same history byte for byte.
"""
