"""Checks for notebook 10 (fine-tuning and LoRA). Our GPT: 4 blocks, d = 128; each block has the
matrices attn.qkv (128 → 384), attn.proj (128 → 128), mlp.fc (128 → 512) and mlp.proj (512 → 128)."""

from __future__ import annotations

from utils.exercises import exercise
from utils.exercises.base import Derived, hint, number, right
from utils.i18n import t

INTRODUCED_IN = "10"

BLOCKS = 4
SHAPES = {"attn.qkv": (128, 384), "attn.proj": (128, 128), "mlp.fc": (128, 512), "mlp.proj": (512, 128)}


def lora_count(rank: int, matrices=tuple(SHAPES), blocks: int = BLOCKS) -> int:
    return blocks * sum(rank * (SHAPES[m][0] + SHAPES[m][1]) for m in matrices)


@exercise("10.1", wrong=[lora_count(8), lora_count(1, blocks=1), BLOCKS * sum(a * b for a, b in SHAPES.values())])
def rank_one(answer):
    value = number(answer, t("exercises.nb10.what_trainable"))
    if value == lora_count(1):
        raise right(t("exercises.nb10.rank_one_right"))
    if value == lora_count(8):
        raise hint(t("exercises.nb10.rank_eight"))
    if value == lora_count(1, blocks=1):
        raise hint(t("exercises.nb10.one_block"))
    if value == BLOCKS * sum(a * b for a, b in SHAPES.values()):
        raise hint(t("exercises.nb10.full_matrices"))
    raise hint(t("exercises.nb10.rank_one_how"))


@exercise("10.2", wrong=[lora_count(8), lora_count(8, ("attn.qkv",)), lora_count(8, ("attn.qkv", "attn.proj"), 1)])
def attention_only(answer):
    value = number(answer, t("exercises.nb10.what_trainable"))
    target = lora_count(8, ("attn.qkv", "attn.proj"))
    if value == target:
        raise right(t("exercises.nb10.attention_right", target=target, every=lora_count(8)))
    if value == lora_count(8):
        raise hint(t("exercises.nb10.every_matrix"))
    if value == lora_count(8, ("attn.qkv", "attn.proj"), 1):
        raise hint(t("exercises.nb10.one_block"))
    raise hint(t("exercises.nb10.attention_how"))


@exercise("10.3", wrong=[Derived(lambda per_play: max(per_play, key=per_play.get)),
                         Derived(lambda per_play: min(per_play.values()))], context=("per_play",))
def hardest_play(answer, per_play):
    if not isinstance(answer, str):
        raise hint(t("exercises.nb10.play_name", kind=type(answer).__name__))
    if answer not in per_play:
        raise hint(t("exercises.nb10.not_a_play", answer=answer, plays=", ".join(sorted(per_play))))
    hardest = min(per_play, key=per_play.get)
    if answer != hardest:
        raise hint(t("exercises.nb10.not_hardest", answer=answer, score=per_play[answer]))
    raise right(t("exercises.nb10.hardest_right", hardest=hardest, score=per_play[hardest]))
