"""Placeholder: being written (see the issue tracker)."""

from __future__ import annotations


def init_app(app) -> None:
    """Register this part of the app."""
