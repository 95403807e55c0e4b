"""Train the course's shipped checkpoint: ``make checkpoint`` (about 10 minutes on 2 CPU cores).

A character-level GPT (vocabulary: the 76 characters of the whole canon, so any line of any play
can be fed to it) trained on the tiny Shakespeare split with notebook 08's recipe, for longer.
Writes data/shakespeare_gpt.pt (fp16) and data/shakespeare_gpt.json (config, seed, steps,
validation loss, samples, this command). Seeded: the same machine gives the same file.
"""

from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

import torch

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from utils.checkpoints import REBUILD_COMMAND, load_shakespeare_gpt, save_checkpoint  # noqa: E402
from utils.config import seed_everything, set_threads  # noqa: E402
from utils.data import CharTokenizer, shakespeare, shakespeare_split  # noqa: E402
from utils.files import atomic_write_text  # noqa: E402
from utils.models import GPT, GPTConfig, generate  # noqa: E402
from utils.train import Recipe, encode_corpus, evaluate, train  # noqa: E402

SEED = 1337
# One thread: on a shared 2-core machine a second thread mostly waits (measured 3-8x slower under load).
THREADS = 1
CONFIG = dict(block_size=128, n_layer=4, n_head=4, n_embd=128, bias=False, dropout=0.0)
RECIPE = Recipe(steps=2000, batch_size=16, lr=3e-3, min_lr=0.0, warmup_steps=50, schedule="constant_then_decay",
                decay_fraction=0.4, betas=(0.9, 0.99), weight_decay=0.1, grad_clip=1.0)
PROMPTS = ("ROMEO:\n", "KING RICHARD III:\n", "JULIET:\nO ")


def main() -> None:
    set_threads(THREADS)
    seed_everything(SEED)
    tokenizer = CharTokenizer(shakespeare("full"))
    train_data = encode_corpus(shakespeare_split("tiny", "train"), tokenizer)
    val_data = encode_corpus(shakespeare_split("tiny", "val"), tokenizer)
    model = GPT(GPTConfig(vocab_size=tokenizer.vocab_size, **CONFIG))
    print(f"training {model.num_parameters():,} parameters for {RECIPE.steps} steps", flush=True)
    start = time.perf_counter()
    losses = train(model, train_data, RECIPE, seed=SEED)
    seconds = time.perf_counter() - start
    val = evaluate(model, val_data)
    print(f"val loss {val:.4f} (whole split, non-overlapping windows) after {seconds:.0f} s", flush=True)
    samples = {}
    for prompt in PROMPTS:
        gen = torch.Generator().manual_seed(SEED)
        out = generate(model, torch.tensor([tokenizer.encode(prompt)]), 300, temperature=0.8, top_k=20,
                       generator=gen)
        samples[prompt] = tokenizer.decode(out[0].tolist())
    path = save_checkpoint(model, tokenizer, {
        "seed": SEED, "threads": THREADS, "recipe": RECIPE.to_dict(), "train_split": "shakespeare_split('tiny', 'train')",
        "vocabulary": "CharTokenizer(shakespeare('full'))", "val_loss": round(val, 4),
        "val_loss_fp16": None, "final_train_loss": round(sum(losses[-100:]) / 100, 4),
        "train_seconds": round(seconds), "torch": torch.__version__, "machine": platform.machine(),
        "rebuild": REBUILD_COMMAND, "script": "tools/train_checkpoint.py",
        "samples (temperature 0.8, top-k 20)": samples,
    })
    reloaded, _ = load_shakespeare_gpt(path.parent)
    val16 = evaluate(reloaded, val_data)
    meta_path = path.with_suffix(".json")
    atomic_write_text(meta_path, meta_path.read_text(encoding="utf-8").replace('"val_loss_fp16": null',
                                                                                f'"val_loss_fp16": {val16:.4f}'))
    print(f"wrote {path} ({path.stat().st_size / 1e6:.1f} MB); reloaded fp16 val loss {val16:.4f}")
    print(samples[PROMPTS[0]])


if __name__ == "__main__":
    main()
