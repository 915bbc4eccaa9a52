"""The corpus to and from Label Studio's task format, losslessly.

Label Studio imports a JSON list of tasks, each ``{"data": {...}, "annotations": [{"result": [...]}]}``, and
exports the same shape. Our labelling config (``annotations/label-studio/config.xml``, written by
:func:`labelling_config`) names the controls the results use:

- ``<dimension>`` (Choices, one per dimension of the document's type): the grade, "1"-"4";
- ``cue`` (Labels over the text): an evidence span and its cue;
- ``action`` (Labels): a plan action; ``smart`` (Choices, per region, multiple): the flags that hold for it;
- ``need`` (Labels): the need an action serves, linked from the action by a relation labelled ``serves`` (a need
  that is also a ``need`` evidence span is still its own region, so cue spans and links stay independent).

Everything else about a document (id, batch, family group, template, situations, writing, annotator) travels in
``data``. Offsets are character offsets into ``data.text``, as in the corpus.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from assessqa import errors
from assessqa.schemas import ACTION_FLAGS, CUES, DIMENSIONS_BY_TYPE, AnnotatedDocument

_DATA_FIELDS = ("id", "batch", "family_group", "doc_type", "template", "situations", "writing", "annotator")


def labelling_config() -> str:
    """The Label Studio labelling config for assessqa's annotation format."""
    dims = []
    for doc_type, names in DIMENSIONS_BY_TYPE.items():
        for dim in names:
            choices = "".join(f'<Choice value="{g}"/>' for g in (1, 2, 3, 4))
            dims.append(
                f'  <View visibleWhen="choice-selected" whenTagName="doc_type" whenChoiceValue="{doc_type}">\n'
                f'    <Header value="{dim.replace("_", " ")} (1-4)"/>\n'
                f'    <Choices name="{dim}" toName="text" choice="single" showInline="true">{choices}</Choices>\n  </View>'
            )
    cues = "".join(f'<Label value="{c}"/>' for c in CUES)
    flags = "".join(f'<Choice value="{f}"/>' for f in ACTION_FLAGS)
    return (
        '<View>\n  <Header value="$id ($doc_type, batch $batch)"/>\n'
        '  <Choices name="doc_type" toName="text" choice="single" showInline="true">'
        '<Choice value="assessment"/><Choice value="plan"/></Choices>\n'
        f'  <Labels name="cue" toName="text">{cues}</Labels>\n'
        '  <Labels name="action" toName="text"><Label value="action"/></Labels>\n'
        '  <Labels name="need" toName="text"><Label value="need served"/></Labels>\n'
        '  <Relations><Relation value="serves"/></Relations>\n'
        '  <Text name="text" value="$text"/>\n'
        '  <View visibleWhen="region-selected" whenLabelValue="action">\n'
        '    <Header value="SMART parts this action has"/>\n'
        f'    <Choices name="smart" toName="text" perRegion="true" choice="multiple">{flags}</Choices>\n  </View>\n'
        + "\n".join(dims)
        + "\n</View>\n"
    )


def _region(rid: str, control: str, start: int, end: int, text: str, labels: list[str]) -> dict[str, Any]:
    return {
        "id": rid,
        "from_name": control,
        "to_name": "text",
        "type": "labels",
        "value": {"start": start, "end": end, "text": text, "labels": labels},
    }


def to_task(doc: AnnotatedDocument, predictions: list[dict[str, Any]] | None = None) -> dict[str, Any]:
    """One corpus document as a Label Studio task with its annotation (and optional model predictions)."""
    result: list[dict[str, Any]] = [
        {"from_name": "doc_type", "to_name": "text", "type": "choices", "value": {"choices": [doc.doc_type]}}
    ]
    for dim, grade in doc.grades.items():
        result.append({"from_name": dim, "to_name": "text", "type": "choices", "value": {"choices": [str(grade)]}})
    for n, span in enumerate(doc.spans):
        result.append(_region(f"s{n}", "cue", span.start, span.end, span.text, [span.cue]))
    for n, action in enumerate(doc.actions):
        rid = f"a{n}"
        result.append(_region(rid, "action", action.start, action.end, action.text, ["action"]))
        result.append(
            {
                "id": rid,
                "from_name": "smart",
                "to_name": "text",
                "type": "choices",
                "value": {
                    "start": action.start,
                    "end": action.end,
                    "text": action.text,
                    "choices": [f for f in ACTION_FLAGS if action.flags.get(f)],
                },
            }
        )
        if action.need is not None:
            nid = f"n{n}"
            need_text = doc.text[action.need.start : action.need.end]
            result.append(_region(nid, "need", action.need.start, action.need.end, need_text, ["need served"]))
            result.append({"from_id": rid, "to_id": nid, "type": "relation", "direction": "right", "labels": ["serves"]})
    data = {k: getattr(doc, k) for k in _DATA_FIELDS}
    data["text"] = doc.text
    task: dict[str, Any] = {"data": data, "annotations": [{"result": result}]}
    if predictions is not None:
        task["predictions"] = predictions
    return task


def from_task(task: dict[str, Any], where: str) -> AnnotatedDocument:
    """A Label Studio task (as exported, with one annotation) back into a corpus document."""
    try:
        data = task["data"]
        annotations = [a for a in task.get("annotations", []) if not a.get("was_cancelled")]
        if not annotations:
            raise errors.bad_annotation(where, "the task has no (uncancelled) annotation")
        # The latest annotation wins when a task was annotated more than once.
        result = annotations[-1]["result"]
        text = data["text"]
        grades: dict[str, int] = {}
        doc_type = data.get("doc_type")
        spans, actions, flags, needs, links = [], {}, {}, {}, {}
        for item in result:
            kind, control, value = item.get("type"), item.get("from_name"), item.get("value", {})
            if kind == "relation":
                if "serves" in item.get("labels", ["serves"]):
                    links[item["from_id"]] = item["to_id"]
            elif kind == "choices" and control == "doc_type":
                doc_type = value["choices"][0]
            elif kind == "choices" and control == "smart":
                flags[item["id"]] = set(value.get("choices", []))
            elif kind == "choices":
                grades[control] = int(value["choices"][0])
            elif kind == "labels" and control == "cue":
                for cue in value["labels"]:
                    spans.append({"start": value["start"], "end": value["end"], "text": text[value["start"] : value["end"]], "cue": cue})
            elif kind == "labels" and control == "action":
                actions[item["id"]] = (value["start"], value["end"])
            elif kind == "labels" and control == "need":
                needs[item["id"]] = (value["start"], value["end"])
        out_actions = []
        for rid, (start, end) in actions.items():
            need = needs.get(links.get(rid, ""))
            out_actions.append(
                {
                    "start": start,
                    "end": end,
                    "text": text[start:end],
                    "flags": {f: f in flags.get(rid, set()) for f in ACTION_FLAGS},
                    "need": {"start": need[0], "end": need[1]} if need else None,
                }
            )
        record = {k: data[k] for k in _DATA_FIELDS if k in data}
        record.update(doc_type=doc_type, text=text, grades=grades, spans=spans, actions=out_actions)
        return AnnotatedDocument.model_validate(record)
    except errors.AnnotationError:
        raise
    except (KeyError, IndexError, TypeError, ValueError) as exc:
        raise errors.bad_annotation(where, f"not a task in assessqa's Label Studio format ({exc.__class__.__name__})") from exc


def export_tasks(docs: list[AnnotatedDocument], out: Path, predictions: dict[str, list[dict[str, Any]]] | None = None) -> int:
    """Write ``docs`` as a Label Studio import file (a JSON list of tasks); returns the number written."""
    tasks = [to_task(d, (predictions or {}).get(d.id)) for d in docs]
    Path(out).write_text(json.dumps(tasks, ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    return len(tasks)


def import_tasks(source: Path) -> tuple[list[AnnotatedDocument], list[str]]:
    """Documents from a Label Studio JSON export; a task that cannot be read is reported, the rest kept."""
    try:
        tasks = json.loads(Path(source).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise errors.bad_annotation(str(source), f"not a Label Studio JSON export ({exc.__class__.__name__})") from exc
    if not isinstance(tasks, list):
        raise errors.bad_annotation(str(source), "a Label Studio JSON export is a list of tasks")
    docs, problems = [], []
    for n, task in enumerate(tasks, 1):
        try:
            docs.append(from_task(task, f"{source} task {n}"))
        except errors.AnnotationError as exc:
            problems.append(exc.message)
        except Exception as exc:  # pydantic's errors quote values; report the kind only
            problems.append(f"{source} task {n}: {exc.__class__.__name__}")
    return docs, problems


def predictions_from_record(record: Any, model_version: str) -> list[dict[str, Any]]:
    """A score record as Label Studio pre-annotations (grades, evidence as cue regions, actions with flags)."""
    result: list[dict[str, Any]] = []
    for dim, r in record.dimensions.items():
        if r is not None:
            result.append({"from_name": dim, "to_name": "text", "type": "choices", "value": {"choices": [str(r.grade)]}})
            for n, e in enumerate(r.evidence):
                result.append(_region(f"p{dim[:3]}{n}", "cue", e.start, e.end, e.text, [e.cue]))
    for n, a in enumerate(record.actions):
        rid = f"pa{n}"
        result.append(_region(rid, "action", a.start, a.end, a.text, ["action"]))
        chosen = [f for f, ok in a.smart.model_dump().items() if ok]
        result.append({"id": rid, "from_name": "smart", "to_name": "text", "type": "choices", "value": {"start": a.start, "end": a.end, "text": a.text, "choices": chosen}})
    return [{"model_version": model_version, "result": result}]
