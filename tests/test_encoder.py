import shutil

import numpy as np
import pytest

from assessqa import errors
from assessqa.training.encoder import SentenceEncoder, packaged_minilm_dir


@pytest.fixture(scope="module")
def encoder():
    return SentenceEncoder()


def test_packaged_minilm_gives_unit_vectors_that_respect_meaning(encoder):
    vectors = encoder.encode([
        "Amy told me she is scared when Dad shouts.",
        "The girl said she feels frightened when her father yells.",
        "The housing officer will repair the boiler by March.",
    ])
    assert vectors.shape == (3, 384)
    assert np.allclose(np.linalg.norm(vectors, axis=1), 1.0, atol=1e-5)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_a_directory_without_weights_is_refused(tmp_path):
    with pytest.raises(errors.ModelError) as info:
        SentenceEncoder(tmp_path)
    assert info.value.code is errors.ErrorCode.ENCODER_MISSING


def test_weights_that_fail_their_hash_are_refused(tmp_path):
    local = tmp_path / "minilm"
    shutil.copytree(packaged_minilm_dir(), local)
    with pytest.raises(errors.ModelError) as info:
        SentenceEncoder(local, expected_sha256="0" * 64)
    assert info.value.code is errors.ErrorCode.MODEL_CORRUPT


def test_any_local_directory_loads(tmp_path):
    local = tmp_path / "minilm"
    shutil.copytree(packaged_minilm_dir(), local)
    assert SentenceEncoder(local).encode(["Jay (4) was seen alone."]).shape == (1, 384)
