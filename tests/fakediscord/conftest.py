"""The loopback Discord as a fixture for the tests that prove it."""

from .fixtures import fake_discord  # noqa: F401  (fixture)
