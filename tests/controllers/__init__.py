"""Unit tests of the reference controllers, one file per controller."""
