"""Checks for notebook 10 (fine-tuning and LoRA). Our GPT: 4 blocks, d = 128; each block has the
matrices attn.qkv (128 → 384), attn.proj (128 → 128), mlp.fc (128 → 512) and mlp.proj (512 → 128)."""

from __future__ import annotations

from utils.exercises import exercise
from utils.exercises.base import Derived, hint, number, right

INTRODUCED_IN = "10"

BLOCKS = 4
SHAPES = {"attn.qkv": (128, 384), "attn.proj": (128, 128), "mlp.fc": (128, 512), "mlp.proj": (512, 128)}


def lora_count(rank: int, matrices=tuple(SHAPES), blocks: int = BLOCKS) -> int:
    return blocks * sum(rank * (SHAPES[m][0] + SHAPES[m][1]) for m in matrices)


@exercise("10.1", wrong=[lora_count(8), lora_count(1, blocks=1), BLOCKS * sum(a * b for a, b in SHAPES.values())])
def rank_one(answer):
    value = number(answer, "a number of trainable parameters")
    if value == lora_count(1):
        raise right("rank r adds r·(d_in + d_out) per matrix (A is r × d_in, B is d_out × r), here summed over "
                    "4 matrices in each of 4 blocks: under 1 % of the body.")
    if value == lora_count(8):
        raise hint("that is rank 8, the notebook's setting; the exercise asks for rank 1.")
    if value == lora_count(1, blocks=1):
        raise hint("that is one block; our GPT has 4.")
    if value == BLOCKS * sum(a * b for a, b in SHAPES.values()):
        raise hint("that counts the full matrices d_in × d_out; LoRA trains two thin ones, d_in × r and r × d_out.")
    raise hint("count with add_lora(copy.deepcopy(base), rank=1, alpha=1) then count_parameters (without the head).")


@exercise("10.2", wrong=[lora_count(8), lora_count(8, ("attn.qkv",)), lora_count(8, ("attn.qkv", "attn.proj"), 1)])
def attention_only(answer):
    value = number(answer, "a number of trainable parameters")
    target = lora_count(8, ("attn.qkv", "attn.proj"))
    if value == target:
        raise right("two adapted matrices per block instead of four, and the MLP's are the bigger ones: "
                    f"{target:,} instead of {lora_count(8):,}. Hu et al. found attention alone enough for GPT-3.")
    if value == lora_count(8):
        raise hint("that adapts every matrix; pass targets=(\"attn.qkv\", \"attn.proj\") to add_lora.")
    if value == lora_count(8, ("attn.qkv", "attn.proj"), 1):
        raise hint("that is one block; our GPT has 4.")
    raise hint("rank 8 on attn.qkv (128 → 384) and attn.proj (128 → 128) in each of the 4 blocks.")


@exercise("10.3", wrong=[Derived(lambda per_play: max(per_play, key=per_play.get)),
                         Derived(lambda per_play: min(per_play.values()))], context=("per_play",))
def hardest_play(answer, per_play):
    if not isinstance(answer, str):
        raise hint(f"give the play's name as it appears in per_play's keys (a string), got {type(answer).__name__}.")
    if answer not in per_play:
        raise hint(f"{answer!r} is not a test play; the keys of per_play are {', '.join(sorted(per_play))}.")
    hardest = min(per_play, key=per_play.get)
    if answer != hardest:
        raise hint(f"{answer} scores {per_play[answer]:.0%}; another play scores lower. min(per_play, key=per_play.get)")
    raise right(f"{hardest} at {per_play[hardest]:.0%}. Genre is a label for a whole play; a 64-character passage "
                "of a comedy can read like a tragedy (and a storm or a murder plot does), so some plays are "
                "harder than others.")
