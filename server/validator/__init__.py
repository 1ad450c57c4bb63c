"""The validator of contributed Turtle: syntax, vocabulary, SHACL shapes and live-graph checks, in fr and en.

Public API: :func:`validate_turtle` (bytes in, :class:`Report` out), :func:`judge_from_store` and
:func:`validate_with_judge` for callers that validate many files against one dataset. Flask-free except
:mod:`server.validator.views`.
"""

from __future__ import annotations

from server.validator.judge import Judge, judge_from_store
from server.validator.pipeline import validate_turtle, validate_with_judge
from server.validator.report import Problem, Report

__all__ = ["Judge", "Problem", "Report", "judge_from_store", "validate_turtle", "validate_with_judge"]


def init_app(app) -> None:
    """Register ``/validate`` (see :mod:`server.validator.views`)."""
    from server.validator import views

    views.init_app(app)
