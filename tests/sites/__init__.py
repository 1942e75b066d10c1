"""Fixture news sites served over loopback HTTP for crawler tests (127.0.0.1 only)."""
