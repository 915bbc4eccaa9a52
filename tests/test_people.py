"""The assessqa_people component: the one place children and titled adults are found."""

import pytest

from assessqa.features.markers import mask_names
from assessqa.segment import build_pipeline, people_of


@pytest.fixture(scope="module")
def nlp():
    return build_pipeline()


def test_children_and_adults_are_kept_on_the_doc(nlp):
    doc = nlp("Amira (7) lives with Ms Rose Okafor. Amira told me she likes school. Tomasz, aged 12, was not seen.")
    children, adults, others = people_of(doc)
    assert children == [("Amira", 7), ("Tomasz", 12)]
    assert adults == ["Okafor", "Rose"] and others == []
    assert [(s.text, s._.age) for s in doc.spans["children"]] == [("Amira", 7), ("Tomasz", 12)]
    assert sorted(s.text for s in doc.spans["adults"]) == ["Okafor", "Rose"]


def test_a_surname_with_a_prefix_is_a_surname_found_whole(nlp):
    # 0.4.3 took "Driscoll" of "O'Driscoll (10)" for the child and left "O'" in the text the models read.
    doc = nlp("Ciara O'Driscoll (10) is in Year 5. Ms O'DRISCOLL-Hughes and Sam McDonald (4) came.")
    children, adults, others = people_of(doc)
    assert children == [("Ciara", 10), ("Sam", 4)]
    assert "O'DRISCOLL-Hughes" in adults or {"O'DRISCOLL", "Hughes"} <= set(adults) | set(others)
    assert {"O'Driscoll", "McDonald"} <= set(others)
    masked = mask_names(doc.text, [n for n, _ in children], adults, others)
    assert "O'" not in masked and "Driscoll" not in masked and "McDonald" not in masked


def test_a_users_pipeline_without_the_component_still_gets_people():
    import spacy

    import assessqa.segment  # noqa: F401  (registers the factories)

    plain = spacy.blank("en")
    doc = plain("Bilal (4) and his sister Hana (9) live with Mr Khan.")
    assert people_of(doc) == ([("Bilal", 4), ("Hana", 9)], ["Khan"], [])


def test_a_child_introduced_with_a_surname_is_named_by_the_given_name(nlp):
    doc = nlp("Riley Thompson (7) and Ava Thompson (4) live with their mother. Child Zain (9) visits at weekends.")
    children, _, others = people_of(doc)
    assert children == [("Riley", 7), ("Ava", 4), ("Zain", 9)]
    assert "Thompson" in others and "Child" not in others


def test_names_are_found_by_shape_whatever_their_background_and_masked_in_capitals_too(nlp):
    from assessqa.features import mask_names

    text = ("PLAN FOR KEIRA-LEIGH NOWICKA. Keira-Leigh Nowicka lives with Mum and Mr Adebayo. Xiaoming and Dean visit on "
            "Monday. Siobhan's school, CAMHS and the IRO met in March; progress AMBER.")
    children, adults, others = people_of(nlp(text))
    assert adults == ["Adebayo"]
    assert {"Keira", "Leigh", "Nowicka", "Xiaoming", "Dean", "Siobhan", "NOWICKA", "KEIRA", "LEIGH"} <= set(others)
    masked = mask_names(text, [n for n, _ in children], adults, others)
    assert "Mr __person__" in masked and "__name__" in masked
    for name in ("Keira", "Leigh", "Nowicka", "NOWICKA", "Adebayo", "Xiaoming", "Dean", "Siobhan"):
        assert name not in masked
    # Acronyms, days, months, roles and progress statuses are words, not names.
    for word in ("CAMHS", "IRO", "Monday", "March", "AMBER", "Mum", "school"):
        assert word in masked


def test_a_surname_in_the_capitals_of_an_export_still_introduces_the_child(nlp):
    doc = nlp("Subject children: Kieran O'NEILL (15), Declan O'NEILL (12)\nWorker: Sunita Bhatt")
    assert people_of(doc)[0] == [("Kieran", 15), ("Declan", 12)]
