"""The validation report: frozen dataclasses shared by the validator, the CLI and the HTTP API."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from server.validator.messages import counts, severity_name

#: Report statuses, their CLI exit codes and HTTP statuses.
CONFORMS, DOES_NOT_CONFORM, INVALID_INPUT, INTERNAL_ERROR = (
    "conforms",
    "does-not-conform",
    "invalid-input",
    "error",
)
EXIT_CODES = {CONFORMS: 0, DOES_NOT_CONFORM: 1, INVALID_INPUT: 2, INTERNAL_ERROR: 3}
HTTP_STATUSES = {CONFORMS: 200, DOES_NOT_CONFORM: 200, INVALID_INPUT: 422, INTERNAL_ERROR: 500}


@dataclass(frozen=True)
class Problem:
    """One thing to fix (Violation) or to check (Warning), located in the contributed file."""

    severity: str  # "Violation", "Warning" or "Info"
    kind: str  # "input", "syntax", "shape", "vocabulary", "link", "duplicate", "scope", "placeholder"
    message: str
    line: int | None = None
    column: int | None = None
    excerpt: str = ""
    focus: str | None = None
    focus_label: str | None = None
    path: str | None = None
    value: str | None = None
    hint: str = ""
    component: str | None = None
    shape: str | None = None


@dataclass(frozen=True)
class ChangedValue:
    """A single-valued property whose contributed value differs from the dataset's."""

    subject: str
    label: str | None
    path: str
    old: str
    new: str
    line: int | None = None


@dataclass(frozen=True)
class Summary:
    """What the file would add to the dataset."""

    triples: int = 0
    new_triples: int = 0
    new_resources: tuple[tuple[str, int], ...] = ()
    changed_values: tuple[ChangedValue, ...] = ()


@dataclass(frozen=True)
class Report:
    """The outcome of validating one contributed Turtle file."""

    status: str
    lang: str = "en"
    problems: tuple[Problem, ...] = ()
    summary: Summary = field(default_factory=Summary)
    elapsed: float = 0.0

    @property
    def conforms(self) -> bool:
        """True when the file can be added as it is (warnings allowed)."""
        return self.status == CONFORMS

    @property
    def exit_code(self) -> int:
        """The CLI exit code for this report."""
        return EXIT_CODES[self.status]

    @property
    def violations(self) -> tuple[Problem, ...]:
        """The problems that make the file non-conforming."""
        return tuple(p for p in self.problems if p.severity == "Violation")

    @property
    def warnings(self) -> tuple[Problem, ...]:
        """The problems worth checking that do not block the file."""
        return tuple(p for p in self.problems if p.severity != "Violation")

    def severity_label(self, problem: Problem) -> str:
        """The problem's severity in the report's language ("Avertissement", "Warning")."""
        return severity_name(problem.severity, self.lang).capitalize()

    def counts_text(self) -> str:
        """``"1 violation, 0 avertissement"``: the counts in the report's language, with plural forms."""
        return counts(len(self.violations), len(self.warnings), self.lang)

    def to_dict(self) -> dict:
        """Return the report as plain JSON-ready data."""
        data = asdict(self)
        data["conforms"] = self.conforms
        data["summary"]["new_resources"] = dict(self.summary.new_resources)
        data["counts"] = {"violations": len(self.violations), "warnings": len(self.warnings)}
        return data
