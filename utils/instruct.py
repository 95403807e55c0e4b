"""Notebook 10's instruction tuning: the prompt template (:func:`format_prompt`), instruction
examples built from the plays (:func:`instruction_examples`, split by :meth:`utils.data.Play.split`)
and the model's greedy answer (:func:`answer`).
"""

from __future__ import annotations

import random
from dataclasses import dataclass

import torch

from .data import CharTokenizer, subset_plays
from .models import GPT, generate

INTRODUCED_IN = "10"

# ---------------------------------------------------------------------------------------------
# Instruction tuning
# ---------------------------------------------------------------------------------------------
TASKS = ("Which play is this from?", "Shout this line.", "Continue the line.")
MAX_INPUT_CHARS = 48
CONTEXT = 128  # our GPT's block size: prompt, answer and newline must fit


def format_prompt(instruction: str, text: str) -> str:
    """The prompt template: the model's answer follows ``Answer: `` and ends with a newline."""
    text = " ".join(text.split())[:MAX_INPUT_CHARS]  # one line; our vocabulary has no "/" or "#"
    return f"Task: {instruction}\nText: {text}\nAnswer: "


@dataclass(frozen=True)
class Example:
    instruction: str
    prompt: str     # the formatted prompt, ending with "Answer: "
    response: str   # the answer, without the final newline
    play: str       # the slug of the play it comes from


def instruction_examples(split: str = "train", seed: int = 0) -> list[Example]:
    """Instruction examples from the plays the model was pretrained on (the tiny subset).

    ``"train"`` uses the first 90 % of each play's speeches, ``"val"`` the last 10 % (the
    pretraining split), so held-out prompts are passages the model has never been tuned on; a
    held-out prompt that also occurs in training (short lines repeat: "My lord?") is dropped.
    Tasks: which play a speech is from, a line in capitals, and the next line of a speech.
    """
    if split not in ("train", "val"):
        raise ValueError(f"split must be 'train' or 'val', got {split!r}.")
    train = _examples_from(range_kind="train")
    if split == "train":
        examples = train
    else:
        seen = {e.prompt for e in train}
        examples = [e for e in _examples_from(range_kind="val") if e.prompt not in seen]
    examples = list(examples)
    random.Random(seed).shuffle(examples)
    return examples


def _examples_from(range_kind: str) -> list[Example]:
    examples = []
    for play in subset_plays("tiny"):
        for speech in play.split(range_kind):
            lines = speech.text.split("\n")
            passage = f"{speech.speaker}: {lines[0]}"
            examples.append(Example(TASKS[0], format_prompt(TASKS[0], passage), play.title, play.slug))
            if len(lines[0]) <= MAX_INPUT_CHARS:
                examples.append(Example(TASKS[1], format_prompt(TASKS[1], lines[0]), lines[0].upper(), play.slug))
                if len(lines) >= 2:
                    examples.append(Example(TASKS[2], format_prompt(TASKS[2], lines[0]), lines[1], play.slug))
    return [e for e in examples if len(e.prompt) + len(e.response) + 1 <= CONTEXT]


def answer(model: GPT, tokenizer: CharTokenizer, prompt: str, max_chars: int = 48) -> str:
    """The model's greedy answer to ``prompt``, up to the first newline (or ``max_chars``)."""
    block = model.config.block_size
    ids = torch.tensor([tokenizer.encode(prompt)[-block:]])
    newline = tokenizer.encode("\n")[0]
    # no longer than the context allows: past it the window would slide and lose the task line
    out = generate(model, ids, min(max_chars, block - ids.shape[1] + 1), temperature=0, stop_id=newline)
    return tokenizer.decode(out[0, ids.shape[1]:].tolist()).split("\n")[0]


# ---------------------------------------------------------------------------------------------
# The full-length instruction run, shipped precomputed (utils.finetune.load_finetune_models)
# ---------------------------------------------------------------------------------------------
# Notebook 10's recipe: the whole model, AdamW (no weight decay), batches of 16 training examples
# (a generator seeded with batch_seed), the held-out answer loss every val_every steps on the first
# held_out_per_task held-out examples of each task.
SFT_RECIPE = {"steps": 600, "lr": 3e-4, "batch_size": 16, "batch_seed": 0, "held_out_per_task": 40,
              "val_every": 100}


def encode_examples(examples: list[Example], tokenizer: CharTokenizer) -> tuple[torch.Tensor, torch.Tensor]:
    """Notebook 10's ``encode_examples``: inputs and targets (n, CONTEXT); targets are -100 except on
    the answer and its newline."""
    x = torch.zeros(len(examples), CONTEXT, dtype=torch.long)
    y = torch.full((len(examples), CONTEXT), -100)
    for row, example in enumerate(examples):
        prompt, reply = tokenizer.encode(example.prompt), tokenizer.encode(example.response + "\n")
        ids = prompt + reply
        x[row, :len(ids) - 1] = torch.tensor(ids[:-1])
        y[row, len(prompt) - 1:len(ids) - 1] = torch.tensor(reply)
    return x, y


def answer_loss(model: GPT, tokenizer: CharTokenizer, examples: list[Example]) -> float:
    """Notebook 10's ``answer_loss``: mean cross-entropy (nats per character) of the reference answers."""
    x, y = encode_examples(examples, tokenizer)
    with torch.no_grad():
        logits, _ = model(x)
    return torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), y.reshape(-1),
                                             ignore_index=-100).item()


def train_instructions(base: GPT, tokenizer: CharTokenizer, recipe: dict = SFT_RECIPE,
                       steps: int | None = None) -> tuple[GPT, list[float], list[float]]:
    """Notebook 10's instruction fine-tuning of a copy of ``base``: ``(model, losses per step,
    held-out answer losses every val_every steps)``; ``steps`` cuts it short."""
    import copy

    examples = instruction_examples("train")
    val = instruction_examples("val")
    held_out = [e for task in TASKS for e in [e for e in val if e.instruction == task][:recipe["held_out_per_task"]]]
    x_all, y_all = encode_examples(examples, tokenizer)
    model = copy.deepcopy(base).train()
    optimizer = torch.optim.AdamW(model.parameters(), lr=recipe["lr"], weight_decay=0.0)
    generator = torch.Generator().manual_seed(recipe["batch_seed"])
    losses, val_losses = [], []
    total = recipe["steps"] if steps is None else steps
    for step in range(total):
        i = torch.randint(len(x_all), (recipe["batch_size"],), generator=generator)
        logits, _ = model(x_all[i])
        loss = torch.nn.functional.cross_entropy(logits.reshape(-1, logits.size(-1)), y_all[i].reshape(-1),
                                                 ignore_index=-100)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        optimizer.step()
        losses.append(loss.item())
        if (step + 1) % recipe["val_every"] == 0:
            val_losses.append(answer_loss(model, tokenizer, held_out))
    return model.eval(), losses, val_losses
