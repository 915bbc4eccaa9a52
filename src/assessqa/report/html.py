"""The QA manager's report: one self-contained HTML file from a batch's score records.

Everything is inline (styles, SVG charts, no scripts, no external assets), so the file opens offline and can be
mailed or archived. Figures for a group of fewer than :data:`MIN_GROUP` documents are suppressed: a team or month
with three documents is close to naming a worker. Charts carry their numbers as text and use patterns of
position, not colour alone.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import datetime
from importlib import resources
from pathlib import Path

from jinja2 import Environment, select_autoescape
from markupsafe import Markup, escape

from assessqa.report.output import read_records
from assessqa.schemas import ACTION_FLAGS, DIMENSIONS, DIMENSIONS_BY_TYPE, GRADE_LABELS, ErrorRecord, ScoreRecord

# Groups smaller than this are shown as "fewer than 5 documents", never as figures.
MIN_GROUP = 5
_MONTH_FIELDS = ("month", "date", "completed", "completed_date", "authorised", "created", "start_date")
_GRADE_COLOURS = {1: "#b2182b", 2: "#ef8a62", 3: "#67a9cf", 4: "#2166ac"}


@dataclass
class GroupRow:
    """Grades of one dimension within one group (a team, a month), or suppressed when the group is small."""

    name: str
    documents: int
    counts: dict[int, int] | None
    good_share: float | None


@dataclass
class DocumentView:
    """One document's page in the report: grades, evidence, suggestions and actions, and its text when given."""

    id: str
    anchor: str
    doc_type: str
    mean_grade: float
    needs_review: int
    grades: dict[str, dict]
    actions: list[dict]
    children: list[dict]
    over_optimism: str | None
    warnings: list[str]
    text_html: Markup | None = None


@dataclass
class ReportData:
    generated: str
    model_versions: list[str]
    scored: int
    errors: int
    by_type: dict[str, int]
    distribution: dict[str, dict[int, int]]
    review_grades: int
    graded: int
    review_documents: int
    by_team: dict[str, list[GroupRow]] = field(default_factory=dict)
    by_month: dict[str, list[GroupRow]] = field(default_factory=dict)
    missing_smart: list[tuple[str, int, float]] = field(default_factory=list)
    actions: int = 0
    # (anchor, document id) pairs; the anchor links to the document's view.
    plans_without_contingency: list[tuple[str, str]] = field(default_factory=list)
    siblings_not_individual: list[tuple[str, list[str]]] = field(default_factory=list)
    over_optimistic: list[tuple[str, str]] = field(default_factory=list)
    first_to_look_at: list[DocumentView] = field(default_factory=list)
    documents: list[DocumentView] = field(default_factory=list)
    error_codes: dict[str, int] = field(default_factory=dict)


def _month(metadata: dict) -> str | None:
    for key in _MONTH_FIELDS:
        value = metadata.get(key)
        if not value:
            continue
        text = str(value)
        if re.fullmatch(r"\d{4}-\d{2}", text):
            return text
        for fmt in ("%Y-%m-%d", "%d/%m/%Y"):
            try:
                return datetime.strptime(text[:10], fmt).strftime("%Y-%m")
            except ValueError:
                continue
    return None


def _groups(records: list[ScoreRecord], key) -> dict[str, list[GroupRow]]:
    """Per dimension, grade counts per group; groups under :data:`MIN_GROUP` documents are suppressed."""
    members: dict[str, list[ScoreRecord]] = defaultdict(list)
    for record in records:
        name = key(record)
        if name:
            members[str(name)].append(record)
    if len(members) < 2:
        return {}
    out: dict[str, list[GroupRow]] = {}
    for dim in DIMENSIONS:
        rows = []
        for name in sorted(members):
            graded = [r.dimensions[dim].grade for r in members[name] if r.dimensions.get(dim) is not None]
            if not graded:
                continue
            if len(graded) < MIN_GROUP:
                rows.append(GroupRow(name, len(graded), None, None))
            else:
                counts = Counter(graded)
                rows.append(GroupRow(name, len(graded), {g: counts[g] for g in (1, 2, 3, 4)}, (counts[3] + counts[4]) / len(graded)))
        if rows:
            out[dim] = rows
    return out


def _anchor(n: int) -> str:
    return f"doc-{n}"


def _highlight(text: str, marks: list[tuple[int, int, str]]) -> Markup:
    """The document text with evidence spans as ``<mark>`` elements titled by cue (escaped; overlaps skipped)."""
    out, pos = [], 0
    for start, end, cue in sorted(marks):
        if start < pos or end > len(text) or start >= end:
            continue
        out.append(escape(text[pos:start]))
        out.append(Markup('<mark class="cue-{0}" title="{0}"><span class="cue-name">[{0}]</span> ').format(cue))
        out.append(escape(text[start:end]))
        out.append(Markup("</mark>"))
        pos = end
    out.append(escape(text[pos:]))
    return Markup("").join(out)


def _view(n: int, record: ScoreRecord, text: str | None) -> DocumentView:
    grades = {}
    marks: list[tuple[int, int, str]] = []
    for dim, result in record.dimensions.items():
        if result is None:
            continue
        grades[dim] = {
            "grade": result.grade,
            "label": result.label,
            "needs_review": result.needs_review,
            "review_reasons": [r.replace("_", " ") for r in result.review_reasons],
            "evidence": [{"text": e.text, "cue": e.cue} for e in result.evidence],
            "suggestions": result.suggestions,
        }
        marks.extend((e.start, e.end, e.cue) for e in result.evidence)
    actions = [
        {"text": a.text, "missing": [f.replace("_", "-") for f, ok in a.smart.model_dump().items() if not ok], "suggestions": a.suggestions}
        for a in record.actions
    ]
    values = [g["grade"] for g in grades.values()]
    oo = record.insights.over_optimism if record.insights else None
    return DocumentView(
        id=record.id or f"document {n + 1}",
        anchor=_anchor(n),
        doc_type=record.doc_type,
        mean_grade=sum(values) / len(values) if values else 0.0,
        needs_review=sum(g["needs_review"] for g in grades.values()),
        grades=grades,
        actions=actions,
        children=[c.model_dump() for c in (record.insights.children if record.insights else [])],
        over_optimism=oo.conclusion.text if oo and oo.flag and oo.conclusion else None,
        warnings=record.warnings,
        text_html=_highlight(text, marks) if text is not None else None,
    )


def build_report(records: Iterable[ScoreRecord | ErrorRecord], texts: dict[str, str] | None = None, first: int = 20) -> ReportData:
    """What the report shows, computed from the records (and, for the per-document views, the texts by id)."""
    records = list(records)
    scored = [r for r in records if isinstance(r, ScoreRecord)]
    failed = [r for r in records if isinstance(r, ErrorRecord)]
    texts = texts or {}
    distribution = {dim: {g: 0 for g in (1, 2, 3, 4)} for dim in DIMENSIONS}
    graded = review = review_docs = 0
    for r in scored:
        flagged = 0
        for dim, result in r.dimensions.items():
            if result is not None:
                distribution[dim][result.grade] += 1
                graded += 1
                flagged += result.needs_review
        review += flagged
        review_docs += flagged > 0
    missing = Counter()
    actions = 0
    for r in scored:
        for a in r.actions:
            actions += 1
            missing.update(f for f, ok in a.smart.model_dump().items() if not ok)
    views = [_view(n, r, texts.get(r.id or "")) for n, r in enumerate(scored)]
    siblings = []
    for r, v in zip(scored, views):
        kids = r.insights.children if r.insights else []
        unseen = [f"{c.name} ({c.age})" for c in kids if not (c.views and c.daily_life)]
        if len(kids) > 1 and unseen:
            siblings.append((v.anchor, [v.id, ", ".join(unseen)]))
    return ReportData(
        generated=datetime.now().strftime("%Y-%m-%d %H:%M"),
        model_versions=sorted({r.model_version for r in scored}),
        scored=len(scored),
        errors=len(failed),
        by_type=dict(Counter(r.doc_type for r in scored)),
        distribution={d: c for d, c in distribution.items() if sum(c.values())},
        review_grades=review,
        graded=graded,
        review_documents=review_docs,
        by_team=_groups(scored, lambda r: r.metadata.get("team")),
        by_month=_groups(scored, lambda r: _month(r.metadata)),
        missing_smart=[(f.replace("_", "-"), missing[f], missing[f] / actions if actions else 0.0) for f in ACTION_FLAGS if actions],
        actions=actions,
        plans_without_contingency=[
            (v.anchor, v.id) for r, v in zip(scored, views) if r.plan is not None and not r.plan.contingency.present
        ],
        siblings_not_individual=siblings,
        over_optimistic=[(v.anchor, v.id) for v in views if v.over_optimism],
        first_to_look_at=sorted(views, key=lambda v: (v.mean_grade, -v.needs_review))[:first],
        documents=views,
        error_codes=dict(Counter(r.error.get("code", "?") for r in failed)),
    )


def _bar_svg(counts: dict[int, int], width: int = 360, height: int = 22) -> Markup:
    """A stacked bar of grades 1-4, each segment labelled with its grade and count (readable without colour)."""
    total = sum(counts.values())
    if not total:
        return Markup("")
    parts, x = [], 0.0
    for g in (1, 2, 3, 4):
        w = width * counts.get(g, 0) / total
        if w <= 0:
            continue
        parts.append(
            Markup('<rect x="{:.1f}" y="0" width="{:.1f}" height="{}" fill="{}" stroke="#fff"><title>grade {} ({}): {}</title></rect>').format(
                x, w, height, _GRADE_COLOURS[g], g, GRADE_LABELS[g], counts.get(g, 0)
            )
        )
        if w >= 26:
            parts.append(
                Markup('<text x="{:.1f}" y="{}" font-size="11" text-anchor="middle" fill="{}">{}: {}</text>').format(
                    x + w / 2, height - 7, "#fff" if g in (1, 4) else "#000", g, counts.get(g, 0)
                )
            )
        x += w
    label = ", ".join(f"grade {g}: {counts.get(g, 0)}" for g in (1, 2, 3, 4))
    return Markup('<svg class="bar" role="img" aria-label="{}" width="{}" height="{}" viewBox="0 0 {} {}">').format(
        label, width, height, width, height
    ) + Markup("").join(parts) + Markup("</svg>")


def render_html(data: ReportData) -> str:
    """The report as one HTML document."""
    env = Environment(autoescape=select_autoescape(default=True), trim_blocks=True, lstrip_blocks=True)
    env.globals.update(bar=_bar_svg, labels=GRADE_LABELS, colours=_GRADE_COLOURS, dimensions_by_type=DIMENSIONS_BY_TYPE, min_group=MIN_GROUP)
    template = env.from_string(resources.files("assessqa.report").joinpath("templates/report.html.j2").read_text(encoding="utf-8"))
    return template.render(d=data)


def write_report(records_path: Path, out: Path, texts: dict[str, str] | None = None) -> ReportData:
    """Read ``records_path``, write the HTML report to ``out``; returns what it shows."""
    data = build_report(read_records(records_path), texts)
    Path(out).write_text(render_html(data), encoding="utf-8")
    return data
