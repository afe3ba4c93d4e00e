"""The one error type every tool reports for bad input."""

from __future__ import annotations


class InputError(ValueError):
    """A caller's input broke a rule: names the field and the rule so the caller can fix it."""

    def __init__(self, field: str, rule: str) -> None:
        self.field = field
        self.rule = rule
        super().__init__(f"invalid {field}: {rule}")


class KnowledgeError(RuntimeError):
    """A file of the knowledge base (skills/) is missing or does not match its model."""

    def __init__(self, file: str, problem: str) -> None:
        self.file = file
        self.problem = problem
        super().__init__(f"{file}: {problem}")
