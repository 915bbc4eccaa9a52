import pytest

from assessqa.segment import content_sentences


@pytest.mark.parametrize(
    "text, expected",
    [
        # a line break ends a sentence even without a full stop
        ("Mum works nights\nDad drinks most evenings\n", ["Mum works nights", "Dad drinks most evenings"]),
        # bullets are separate sentences, and their markers stay with their text
        ("- Jay is hungry.\n- Jay is tired.\n", ["- Jay is hungry.", "- Jay is tired."]),
        # the full stop of "1." numbering is not a sentence end
        ("1. Dad to attend CGL by 01/04/2025.\n2. School to record attendance.\n",
         ["1. Dad to attend CGL by 01/04/2025.", "2. School to record attendance."]),
        # practitioners' abbreviations do not end a sentence
        ("Mr. Patel saw Ava on Mon. 3 March e.g. at school. She was quiet.",
         ["Mr. Patel saw Ava on Mon. 3 March e.g. at school.", "She was quiet."]),
        # hard-wrapped prose from an export is joined back into one sentence
        ("Mum had support from\nthe leaving care team until 2015. She moved.", ["Mum had support from\nthe leaving care team until 2015.", "She moved."]),
        # a flattened table row is one sentence, whatever punctuation its cells hold
        ("Safety | Mum to call police. Then SW. | Mum | now\n", ["Safety | Mum to call police. Then SW. | Mum | now"]),
        # quotations close before the sentence ends
        ('Kayla said "I hate it when Dad shouts." Then she went out to play.',
         ['Kayla said "I hate it when Dad shouts."', "Then she went out to play."]),
    ],
)
def test_sentences(nlp, text, expected):
    assert [s.text.strip() for s in content_sentences(nlp(text))] == expected


def test_headings_are_not_content_sentences(nlp):
    doc = nlp("Family history\nMum grew up in care.\n")
    assert [s.text.strip() for s in content_sentences(doc)] == ["Mum grew up in care."]


def test_empty_document(nlp):
    assert content_sentences(nlp("")) == []


def test_the_tokenizer_gives_spacys_tokens_while_caching_whole_documents(corpus):
    # build_pipeline drops the whitespace special cases so that spaCy keeps caching words after a line break;
    # every token, its whitespace and its norm must be what spaCy's own English tokenizer gives.
    import spacy

    from assessqa.segment import build_pipeline

    ours, theirs = build_pipeline(), spacy.blank("en")
    texts = [d.text for d in corpus[:80]] + ["Line one\n\n\tTabbed  two spaces\u00a0nbsp \n", " \n "]
    for text in texts + texts:  # twice: the second pass reads the cache
        a, b = ours.make_doc(text), theirs.make_doc(text)
        assert [(t.text, t.whitespace_, t.norm_) for t in a] == [(t.text, t.whitespace_, t.norm_) for t in b]
