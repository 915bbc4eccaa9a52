"""Apply adjudicated decisions (annotations/adjudication.jsonl) to the corpus labels, in place.

Agreement is measured on the two raw passes *before* this step (training/agreement.py); the corpus then carries
the adjudicated labels. Usage: python training/apply_adjudication.py annotations
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from assessqa.training.annotations import corpus_files


def apply(root: Path) -> int:
    decisions = [json.loads(line) for line in (root / "adjudication.jsonl").read_text(encoding="utf-8").splitlines() if line.strip()]
    by_id: dict[str, list[dict]] = {}
    for d in decisions:
        by_id.setdefault(d["id"], []).append(d)
    changed = 0
    for file in corpus_files(root):
        lines = file.read_text(encoding="utf-8").splitlines()
        out = []
        for line in lines:
            record = json.loads(line)
            for d in by_id.get(record["id"], []):
                if d["kind"] == "grade":
                    changed += record["grades"][d["dimension"]] != d["final"]
                    record["grades"][d["dimension"]] = int(d["final"])
                else:
                    flags = record["actions"][d["action_n"]]["flags"]
                    changed += flags[d["flag"]] != d["final"]
                    flags[d["flag"]] = bool(d["final"])
            out.append(json.dumps(record, ensure_ascii=False, separators=(",", ":")))
        file.write_text("\n".join(out) + "\n", encoding="utf-8")
    return changed


if __name__ == "__main__":
    parser = argparse.ArgumentParser()
    parser.add_argument("root", type=Path)
    args = parser.parse_args()
    print(f"{apply(args.root)} label(s) changed")
