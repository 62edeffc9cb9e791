"""Configuration for the project's own tests.

The watch cache shares each decoded object between every watcher and its own state; the tests
turn on its check that no component mutates such a shared object in place.
"""

from __future__ import annotations

from reference_impl.apiserver.watch import Cacher

Cacher.verify_shared = True
