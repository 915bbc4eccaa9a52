"""Robustness probes built independently of the model: they can fail.

    python3 training/probes.py [--model models/default] [--splits test,external]   # writes MODEL/probes.json

The probes of ``assessqa.training.robustness`` were built from the model's own parts (its name swap swaps only the names
the masker finds; its stuffing text is also a training augmentation), so they could not fail. These share
nothing with the model:

- **Name swap.** Names are found by a lexicon of given names and surnames from Faker's locales (British, Irish,
  Polish, Romanian, Lithuanian, Portuguese, Turkish, Indian, Pakistani, Nigerian, Ghanaian, Swahili, US: several
  thousand), in any case (``KEIRA``), hyphenated, possessive, alone or in table cells, never by
  ``assessqa.features``. Each is replaced, consistently, by a name of another background drawn from the same
  lexicon. Figure: documents with any grade changed (goal: at most 1%).
- **Stuffing**, five families, none used in training: empty rubric headings; a rubric vocabulary list; generic
  practice guidance pasted in; one of the document's own sentences repeated; another family's document of the
  same type pasted in. Figure: grades raised (goal: none).
- **Salad.** Word salad (the document's own words shuffled, no sentence left) and sentence salad (its sentences
  shuffled across sections). Figure: salads graded 3-4 without ``needs_review`` (goal: none).

Faker is in the ``dev`` extra; it is only needed here.
"""

from __future__ import annotations

import argparse
import json
import random
import re
from pathlib import Path

from faker import Faker
from spacy.lang.en.stop_words import STOP_WORDS

from assessqa.training.annotations import load_corpus, load_splits, split_documents
from assessqa.config import DEFAULT_MODEL_DIR
from assessqa.schemas import AnnotatedDocument, InputDocument
from assessqa.scoring import Scorer

ROOT = Path(__file__).resolve().parents[1]
LOCALES = {
    "british": "en_GB", "irish": "en_IE", "polish": "pl_PL", "romanian": "ro_RO", "lithuanian": "lt_LT",
    "portuguese": "pt_PT", "turkish": "tr_TR", "indian": "en_IN", "pakistani": "en_PK", "yoruba": "yo_NG",
    "igbo": "ig_NG", "hausa": "ha_NG", "ghanaian": "tw_GH", "swahili": "sw", "american": "en_US",
}
# Capitalised words that are never a person here: calendar words and the English stop words (spaCy's list).
_NOT_NAMES = {w.title() for w in STOP_WORDS} | {
    "January", "February", "March", "April", "May", "June", "July", "August", "September", "October", "November",
    "December", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday", "Christmas", "Easter",
    # languages, nationalities and places that the lexicon also holds as surnames
    "English", "British", "Irish", "Scottish", "Welsh", "Polish", "Romanian", "Turkish", "Somali", "Urdu", "Arabic",
    "England", "Scotland", "Wales", "Ireland", "Poland", "Romania", "London", "Bradford", "Leicester", "Birmingham",
    "Manchester", "Leeds", "Bristol", "Oak", "Golden",
}
_WORD = re.compile(r"\b[A-Z][A-Za-z]+(?:'[A-Za-z]+)?\b")


def _names(part: str, provider) -> list[str]:
    """Every list of names a Faker person provider holds for ``part`` ("first_name" or "last_name"): locales
    spread them over first_names, first_names_female, male_last_names, unisex_last_names..."""
    values = []
    for attr in dir(provider):
        found = getattr(provider, attr, None) if part in attr and not attr.startswith("_") else None
        if isinstance(found, (list, tuple, dict, set)):
            values.extend(found.keys() if isinstance(found, dict) else found)
    return values


def name_lexicon() -> dict[str, dict[str, list[str]]]:
    """Per background: Latin-script given names and surnames, each at least three letters."""
    out = {}
    for background, locale in LOCALES.items():
        fake = Faker(locale)
        given: set[str] = set()
        family: set[str] = set()
        for provider in fake.providers:
            given.update(_names("first_name", provider))
            family.update(_names("last_name", provider))
        keep = lambda names: sorted(n for n in names if re.fullmatch(r"[A-Z][a-z]{2,}", n) and n not in _NOT_NAMES)
        out[background] = {"given": keep(given), "family": keep(family)}
    return out


def english_words(texts: list[str], min_documents: int = 2) -> set[str]:
    """Words seen in lower case in at least ``min_documents`` of these texts: a surname such as Day, Case or House
    is a word here. Give it formally written texts: dictated text writes names in lower case too."""
    seen: dict[str, int] = {}
    for text in texts:
        for word in set(re.findall(r"\b[a-z]{3,}\b", text)):
            seen[word] = seen.get(word, 0) + 1
    return {w for w, n in seen.items() if n >= min_documents}


class NameSwap:
    """Finds names by lexicon, not by the model's masker, and swaps each for one from another background.

    Lexicon names that are also English words (seen in lower case in ``words``) are left alone everywhere, so a
    form label ("Date:", "Case ref") or a word is never rewritten; names written in lower case (dictated text)
    are not found. Both are limits of the probe, stated in the model card.
    """

    def __init__(self, lexicon: dict[str, dict[str, list[str]]], words: set[str] = frozenset()) -> None:
        self.lexicon = {
            b: {k: [n for n in names if n.lower() not in words] for k, names in kinds.items()} for b, kinds in lexicon.items()
        }
        self.background = {}
        for background, kinds in self.lexicon.items():
            for kind, names in kinds.items():
                for name in names:
                    self.background.setdefault(name, (background, kind))

    def find(self, text: str) -> list[str]:
        """Names in ``text``: lexicon words in title case or capitals (``Keira``, ``KEIRA``, ``Keira's``, the parts of
        ``Smith-Okafor``), except where the same word also appears in lower case (then it is a word here)."""
        lowered = set(re.findall(r"\b[a-z]+\b", text))
        found = set()
        for token in re.findall(r"\b[A-Za-z]+\b", text):
            candidate = token.title() if token.isupper() else token
            if candidate in self.background and candidate.lower() not in lowered and candidate not in _NOT_NAMES:
                found.add(candidate)
        return sorted(found)

    def swap(self, text: str, seed: int) -> tuple[str, int]:
        rng = random.Random(seed)
        names = self.find(text)
        mapping: dict[str, str] = {}
        used = set(names)
        words = set(re.findall(r"[a-z]+", text.lower()))
        for name in names:
            background, kind = self.background[name]
            # another background whose names of this kind are not all taken or already in the text
            pools = [
                pool for b in self.lexicon if b != background
                if (pool := [n for n in self.lexicon[b][kind] if n not in used and n.lower() not in words])
            ]
            mapping[name] = rng.choice(rng.choice(pools))
            used.add(mapping[name])
        if not mapping:
            return text, 0
        keys = sorted(mapping, key=len, reverse=True)
        pattern = re.compile(r"\b(" + "|".join(re.escape(k) for k in keys + [k.upper() for k in keys]) + r")\b")

        def replace(match: re.Match) -> str:
            word = match.group(1)
            return mapping[word.title()].upper() if word.isupper() and len(word) > 1 else mapping[word]

        return pattern.sub(replace, text), len(mapping)


# ---------------------------------------------------------------- stuffing families (none used in training)

HEADINGS = {
    "assessment": ["Child's daily lived experience", "Voice of the child", "Analysis of risk and impact",
                   "Parental history and chronology", "Strengths and protective factors", "Professional judgement"],
    "plan": ["SMART outcomes", "What needs to change", "Child's wishes and feelings", "Contingency plan",
             "Timescales", "Responsible person"],
}
VOCABULARY = (
    "Key themes: lived experience; child's voice; wishes and feelings; daily routine; impact on the child; likelihood "
    "of harm; significant harm; protective factors; strengths; resilience; chronology; intergenerational patterns; "
    "specific; measurable; achievable; relevant; time-bound; contingency; legal planning meeting; Public Law Outline."
)
GUIDANCE = (
    "Practice guidance. A good assessment describes what a day is like for each child and records the child's own "
    "words. It names the harm, analyses how likely it is and what it means for the child, weighs strengths against "
    "risks and reaches a reasoned conclusion. It sets out the parents' histories and links them to the present. A good "
    "plan has actions that are specific, owned, measurable, achievable, relevant and time-bound, says what will "
    "happen if things do not change, and is written around the difference for the child."
)


def probe_sentences(text: str) -> list[str]:
    """The sentences of at least four words that the stuffing and salad probes draw on."""
    parts = re.split(r"(?<=[.!?])\s+|\n+", text)
    return [p.strip() for p in parts if len(p.split()) >= 4]


def stuffing(doc: AnnotatedDocument, donor: AnnotatedDocument) -> dict[str, str]:
    sentences = probe_sentences(doc.text) or [doc.text.strip()]
    repeated = max(sentences, key=len)
    return {
        "empty_headings": doc.text + "\n\n" + "\n\n".join(f"{h}:" for h in HEADINGS[doc.doc_type]) + "\n",
        "vocabulary_list": doc.text + "\n\n" + VOCABULARY + "\n",
        "guidance_pasted": doc.text + "\n\n" + GUIDANCE + "\n",
        "sentence_repeated": doc.text + "\n" + "\n".join([repeated] * 5) + "\n",
        "other_family_pasted": doc.text + "\n\n" + donor.text,
    }


def word_salad(text: str, rng: random.Random) -> str:
    words = text.split()
    rng.shuffle(words)
    return " ".join(words)


def sentence_salad(text: str, rng: random.Random) -> str:
    sentences = probe_sentences(text)
    rng.shuffle(sentences)
    return "\n".join(sentences)


# ---------------------------------------------------------------- running them


def _grades(scorer: Scorer, text: str, doc_type: str) -> dict[str, tuple[int, bool]]:
    record = scorer.score(InputDocument(text=text, doc_type=doc_type))
    return {d: (r.grade, r.needs_review) for d, r in record.dimensions.items() if r is not None}


def _documents(split: str) -> list[AnnotatedDocument]:
    if split == "external":
        return load_corpus(ROOT / "annotations" / "external" / "external.jsonl")
    return split_documents(load_corpus(ROOT / "annotations"), load_splits(ROOT / "annotations"))[split]


def run(scorer: Scorer, docs: list[AnnotatedDocument], swapper: NameSwap, seed: int = 0) -> dict:
    rng = random.Random(seed)
    swap_changed = names_swapped = grades_total = 0
    raised = {family: 0 for family in ("empty_headings", "vocabulary_list", "guidance_pasted", "sentence_repeated", "other_family_pasted")}
    salad_high = {"word_salad": 0, "sentence_salad": 0}
    salad_grades = 0
    changed_ids = []
    for n, doc in enumerate(docs):
        base = _grades(scorer, doc.text, doc.doc_type)
        grades_total += len(base)
        swapped_text, count = swapper.swap(doc.text, seed=seed + n)
        names_swapped += count
        swapped = _grades(scorer, swapped_text, doc.doc_type)
        if any(swapped[d][0] != base[d][0] for d in base):
            swap_changed += 1
            changed_ids.append(doc.id)
        donors = [d for d in docs if d.doc_type == doc.doc_type and d.id != doc.id]
        for family, text in stuffing(doc, rng.choice(donors)).items():
            stuffed = _grades(scorer, text, doc.doc_type)
            raised[family] += sum(stuffed[d][0] > base[d][0] for d in base)
        for kind, make in (("word_salad", word_salad), ("sentence_salad", sentence_salad)):
            salad = _grades(scorer, make(doc.text, rng), doc.doc_type)
            salad_high[kind] += sum(g >= 3 and not review for g, review in salad.values())
        salad_grades += len(base)
    return {
        "documents": len(docs),
        "grades": grades_total,
        "name_swap": {
            "names_swapped": names_swapped,
            "documents_with_a_grade_changed": swap_changed,
            "share_changed": round(swap_changed / len(docs), 4),
            "changed": changed_ids,
        },
        "stuffing_grades_raised": raised,
        "salad_graded_3_4_without_review": {**salad_high, "grades_each": salad_grades},
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--model", type=Path, default=DEFAULT_MODEL_DIR)
    parser.add_argument("--splits", default="test,external")
    args = parser.parse_args()
    scorer = Scorer.from_directory(args.model)
    # The in-house corpus is written formally, so a word it writes in lower case is a word, not a name.
    swapper = NameSwap(name_lexicon(), english_words([d.text for d in load_corpus(ROOT / "annotations")]))
    result = {"model_version": scorer.model_version, "lexicon_names": len(swapper.background), "splits": {}}
    for split in args.splits.split(","):
        result["splits"][split] = run(scorer, _documents(split), swapper)
        print(split, json.dumps({k: v for k, v in result["splits"][split].items() if k != "name_swap"}), 
              {k: v for k, v in result["splits"][split]["name_swap"].items() if k != "changed"})
    target = args.model / "probes.json"
    target.write_text(json.dumps(result, indent=2) + "\n", encoding="utf-8")
    print(f"wrote {target}")


if __name__ == "__main__":
    main()
