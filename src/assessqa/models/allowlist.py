"""What a model file may build: an exact allowlist, checked on the file's schema before any object exists.

skops trusts a default set of types on its own (every scikit-learn estimator, ``FunctionTransformer`` among
them), and a prefix rule such as "anything in ``builtins.``" lets ``exec`` in. So assessqa reads the skops
archive's ``schema.json`` itself and refuses the file unless every node in it is one of the exact
(node kind, type) pairs below: the types assessqa's own training writes. No function, method, ``partial`` or
reduce node is allowed at all, so a model folder can describe data and estimators, never code to call.

A new estimator type in training means adding it here, in the same commit, with a test that a model using it
still loads (tests/test_store.py trains and reloads one).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path
from typing import Any

# (skops node kind, module.Class) pairs that assessqa's training produces. Nothing else is built.
ALLOWED: dict[str, frozenset[str]] = {
    "ObjectNode": frozenset({
        "assessqa.models.coherence.CoherenceModel",
        "assessqa.models.ordinal.OrdinalClassifier",
        "assessqa.training.estimators.TfidfStaticVectorizer",
        "sklearn._loss.link.Interval",
        "sklearn._loss.link.LogitLink",
        "sklearn._loss.link.MultinomialLogit",
        "sklearn._loss.loss.HalfBinomialLoss",
        "sklearn._loss.loss.HalfMultinomialLoss",
        "sklearn.ensemble._hist_gradient_boosting.binning._BinMapper",
        "sklearn.ensemble._hist_gradient_boosting.gradient_boosting.HistGradientBoostingClassifier",
        "sklearn.ensemble._hist_gradient_boosting.predictor.TreePredictor",
        "sklearn.feature_extraction._dict_vectorizer.DictVectorizer",
        "sklearn.feature_extraction.text.TfidfTransformer",
        "sklearn.feature_extraction.text.TfidfVectorizer",
        "sklearn.linear_model._logistic.LogisticRegression",
        "sklearn.linear_model._ridge.Ridge",
        "sklearn.multiclass.OneVsRestClassifier",
        "sklearn.pipeline.Pipeline",
        "sklearn.preprocessing._data.StandardScaler",
        "sklearn.preprocessing._label.LabelBinarizer",
        "sklearn.preprocessing._label.LabelEncoder",
    }),
    "LossNode": frozenset({
        "sklearn._loss._loss.CyHalfBinomialLoss",
        "sklearn._loss._loss.CyHalfMultinomialLoss",
    }),
    "RandomGeneratorNode": frozenset({"numpy.random._generator.Generator"}),
    "NdArrayNode": frozenset({
        "numpy.ndarray", "numpy.float64", "numpy.float32", "numpy.int64", "numpy.int32", "numpy.uint64",
        "numpy.uint8", "numpy.bool_", "numpy.bool",
    }),
    "DictNode": frozenset({"builtins.dict"}),
    "ListNode": frozenset({"builtins.list"}),
    "TupleNode": frozenset({"builtins.tuple"}),
    "SetNode": frozenset({"builtins.set"}),
    "JsonNode": frozenset({
        "builtins.str", "builtins.int", "builtins.float", "builtins.bool", "builtins.NoneType",
    }),
    # A TypeNode names a type without calling it (a dtype such as ``dtype=np.float64``, a dict's key types).
    "TypeNode": frozenset({
        "builtins.str", "builtins.int", "builtins.float", "builtins.bool", "numpy.float64", "numpy.float32",
        "numpy.int64", "numpy.int32",
    }),
}


class RefusedModelFile(Exception):
    """The file asks for something outside :data:`ALLOWED`; ``found`` lists what, for the error message."""

    def __init__(self, found: list[str]) -> None:
        self.found = found
        super().__init__(", ".join(found))


def _nodes(node: Any) -> Any:
    """Every dict in the schema that describes a node (it has a ``__loader__``), however deep."""
    stack = [node]
    while stack:
        item = stack.pop()
        if isinstance(item, dict):
            if "__loader__" in item:
                yield item
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)


def schema_types(path: Path) -> set[tuple[str, str]]:
    """The (node kind, module.Class) pairs a skops file would build, read from its schema without building any.

    Raises:
        zipfile.BadZipFile, KeyError, ValueError: the file is not a skops archive with a JSON schema.
    """
    with zipfile.ZipFile(path) as archive:
        schema = json.loads(archive.read("schema.json"))
    found = set()
    for node in _nodes(schema):
        module, name = node.get("__module__"), node.get("__class__")
        found.add((str(node["__loader__"]), f"{module}.{name}"))
    return found


def trusted_types(path: Path) -> list[str]:
    """The type names to hand to ``skops.io.load(trusted=...)`` for this file, once every node is allowed.

    Raises:
        RefusedModelFile: a node kind or type outside the allowlist.
    """
    found = schema_types(path)
    refused = sorted(f"{kind} {name}" for kind, name in found if name not in ALLOWED.get(kind, frozenset()))
    if refused:
        raise RefusedModelFile(refused)
    return sorted({name for _, name in found})
