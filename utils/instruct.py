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
