"""Segmentation rules are data: JSON files under resources/, validated on load."""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from importlib import resources
from pathlib import Path

from pydantic import BaseModel, ConfigDict, ValidationError, field_validator

from assessqa import errors
from assessqa.schemas import SECTION_CATEGORIES


class _SectionRule(BaseModel):
    model_config = ConfigDict(extra="forbid")

    category: str
    patterns: list[str]

    @field_validator("category")
    @classmethod
    def _known_category(cls, value: str) -> str:
        if value not in SECTION_CATEGORIES:
            raise ValueError(f"unknown category {value!r}; allowed: {', '.join(SECTION_CATEGORIES)}")
        return value

    @field_validator("patterns")
    @classmethod
    def _compiles(cls, value: list[str]) -> list[str]:
        for pattern in value:
            try:
                re.compile(pattern)
            except re.error as exc:
                raise ValueError(f"pattern {pattern!r} is not a valid regular expression: {exc}") from exc
        if not value:
            raise ValueError("a rule needs at least one pattern")
        return value


class _SectionRulesFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    description: str = ""
    boilerplate: list[str] = []
    field_labels: list[str] = []
    rules: list[_SectionRule]


class _AbbreviationsFile(BaseModel):
    model_config = ConfigDict(extra="forbid")

    version: int
    description: str = ""
    abbreviations: list[str]


@dataclass(frozen=True)
class SectionRules:
    """Compiled heading rules: (category, pattern) pairs in priority order, and boilerplate line patterns."""

    rules: tuple[tuple[str, re.Pattern[str]], ...]
    boilerplate: tuple[re.Pattern[str], ...]
    # Labels of form fields ("Action:", "By when:") that never start a section of their own.
    field_labels: frozenset[str]
    # Headings already categorised: a council's template repeats the same few dozen in every document, and each
    # new one is tried against every rule in turn.
    _seen: dict[str, str | None] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def categorise(self, heading: str) -> str | None:
        """Return the category of a heading, or None when no rule matches.

        Example: ``categorise("SECTION 4 - CHILD'S VIEWS")`` returns ``"child_views"``.
        """
        if heading in self._seen:
            return self._seen[heading]
        found = next((category for category, pattern in self.rules if pattern.search(heading)), None)
        if len(self._seen) >= 20_000:  # a bound for long-running services; headings that recur are seen again soon
            self._seen.clear()
        self._seen[heading] = found
        return found

    def is_boilerplate(self, line: str) -> bool:
        return any(p.search(line) for p in self.boilerplate)


def _read_json(path: Path | None, package_file: str) -> tuple[str, object]:
    if path is None:
        ref = resources.files("assessqa.segment") / "resources" / package_file
        where = f"assessqa/segment/resources/{package_file}"
        raw = ref.read_text(encoding="utf-8")
    else:
        where = str(path)
        try:
            raw = Path(path).read_text(encoding="utf-8")
        except OSError as exc:
            raise errors.bad_rules(where, f"cannot read the file ({exc.strerror})") from exc
    try:
        return where, json.loads(raw)
    except json.JSONDecodeError as exc:
        raise errors.bad_rules(where, f"not valid JSON (line {exc.lineno}: {exc.msg})") from exc


def _describe(exc: ValidationError) -> str:
    parts = []
    for err in exc.errors():
        loc = ".".join(str(x) for x in err["loc"])
        parts.append(f"{loc}: {err['msg']}")
    return "; ".join(parts)


@lru_cache(maxsize=8)
def load_section_rules(path: Path | None = None) -> SectionRules:
    """Load and validate heading rules; ``path=None`` reads the packaged defaults."""
    where, data = _read_json(path, "section_rules.json")
    try:
        parsed = _SectionRulesFile.model_validate(data)
    except ValidationError as exc:
        raise errors.bad_rules(where, _describe(exc)) from exc
    compiled = tuple(
        (rule.category, re.compile(p, re.IGNORECASE)) for rule in parsed.rules for p in rule.patterns
    )
    boiler = tuple(re.compile(p, re.IGNORECASE) for p in parsed.boilerplate)
    labels = frozenset(label.lower() for label in parsed.field_labels)
    return SectionRules(rules=compiled, boilerplate=boiler, field_labels=labels)


@lru_cache(maxsize=8)
def load_abbreviations(path: Path | None = None) -> frozenset[str]:
    where, data = _read_json(path, "abbreviations.json")
    try:
        parsed = _AbbreviationsFile.model_validate(data)
    except ValidationError as exc:
        raise errors.bad_rules(where, _describe(exc)) from exc
    return frozenset(a.lower().rstrip(".") for a in parsed.abbreviations)
