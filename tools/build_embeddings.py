"""Embed every passage of notebook 12's five plays and ship the vectors: ``make embeddings``.

Notebook 12 retrieves passages of five plays by MiniLM sentence embeddings. Computing all of them
takes minutes on two cores (and teaches nothing after the first few), so this script computes
them once, with the same code the notebook uses (``utils.sentence_embeddings``), and writes

- data/minilm_passages.pt: ``{"vectors": (n, 384) float16, "keys": (n, 8) uint8}``, a row per
  passage, found by the first 8 bytes of the SHA-256 of its text;
- data/minilm_passages.json: its card (SHA-256 of the file, the model package's version and a hash of
  its weights, a fingerprint of the passage set, how the passages were cut, this command).

Both are written to a temporary name and renamed (utils.files). The notebook checks the card before
using the file and computes the vectors itself when the file is missing, corrupt or stale;
tests/test_sentence_embeddings.py recomputes a sample and compares.
"""

from __future__ import annotations

import json
import platform
import sys
import time
from pathlib import Path

import torch
import torch.nn.functional as F

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from utils import files  # noqa: E402
from utils.config import set_threads  # noqa: E402
from utils.data import get_play  # noqa: E402
from utils.sentence_embeddings import (  # noqa: E402
    REBUILD_COMMAND,
    chunk_plays,
    embed_passages,
    load_minilm,
    model_fingerprint,
    row_keys,
    shipped_paths,
    text_fingerprint,
)

PLAYS = ["hamlet", "macbeth", "romeo-and-juliet", "richard-iii", "twelfth-night"]  # notebook 12's PLAYS
MAX_CHARS = 400  # notebook 12's chunk size


def main() -> None:
    threads = int(sys.argv[sys.argv.index("--threads") + 1]) if "--threads" in sys.argv else 1
    set_threads(threads)
    passages = chunk_plays([get_play(slug) for slug in PLAYS], max_chars=MAX_CHARS)
    texts = [p.text for p in passages]
    encoder = load_minilm()
    # The same call as the notebook's, minus the shipped file: computed, or taken from the local cache
    # (utils.config.cache_dir()) when a full-mode run of notebook 12 already computed them there.
    start = time.perf_counter()
    vectors = embed_passages(encoder, passages, use_shipped=False)
    seconds = time.perf_counter() - start
    half = vectors.to(torch.float16)
    # fp16 keeps about 3 significant digits: the cosine of each vector with its fp16 copy is ~1 - 1e-7.
    worst = float(F.cosine_similarity(half.float(), vectors, dim=1).min())
    assert worst > 0.9999, f"fp16 rounding changed a vector too much (cosine {worst})"
    weights_path, card_path = shipped_paths(Path(__file__).resolve().parent.parent / "data")
    files.torch_save({"vectors": half, "keys": row_keys(texts)}, weights_path)
    card = {
        "what": "all-MiniLM-L6-v2 embeddings of notebook 12's passages (utils.sentence_embeddings)",
        "shape": list(half.shape), "dtype": "float16",
        "file_bytes": weights_path.stat().st_size, "sha256": files.sha256_file(weights_path),
        "model": model_fingerprint(),
        "passages": {"plays": PLAYS, "max_chars": MAX_CHARS, "count": len(passages),
                     "characters": sum(map(len, texts)), "text_sha256": text_fingerprint(texts)},
        "fp16_worst_cosine": round(worst, 8),
        "threads": threads,
        "torch": torch.__version__, "machine": platform.machine(),
        "rebuild": REBUILD_COMMAND, "script": "tools/build_embeddings.py",
    }
    files.atomic_write_text(card_path, json.dumps(card, indent=2) + "\n")
    print(f"{len(passages)} passages → {weights_path} ({card['file_bytes'] / 1e6:.2f} MB, fp16) in {seconds:.0f} s (0 s: from the local cache); "
          f"card {card_path.name}")


if __name__ == "__main__":
    main()
