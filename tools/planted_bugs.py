"""Plant each bug of issue 25 in utils, run the test that should catch it, put the code back.

    python tools/planted_bugs.py            # all of them (a few minutes; the RoPE ones rebuild
    python tools/planted_bugs.py "top-k"    #   the SmolLM2 cache); or those whose name matches

Each line says CAUGHT and the failing test, or NOT CAUGHT. The file is restored even on Ctrl-C;
do not run it while editing utils. docs/mutation-report.md lists the results.
"""

import os
import subprocess
import sys
from pathlib import Path

ROOT = str(Path(__file__).resolve().parents[1])
ENV = dict(os.environ, COURSE_FAST="1", COURSE_OFFLINE_GUARD="1", HF_HUB_OFFLINE="1", MPLBACKEND="Agg")
MUTATIONS = [
 ("BPE newest-first", "utils/bpe.py", "new_id = min(candidates)", "new_id = max(candidates)",
  "tests/test_bug_classes.py", "bpe"),
 ("split: last train speech leaks into val", "utils/data.py", "else play.speeches[n_train:]", "else play.speeches[n_train - 1:]",
  "tests/test_bug_classes.py", "partition"),
 ("split: first val speech leaks into train", "utils/data.py", "play.speeches[:n_train] if", "play.speeches[:n_train + 1] if",
  "tests/test_bug_classes.py", "partition"),
 ("assert_close 100x looser", "utils/checks.py", "diff > atol + rtol * np.abs(e)", "diff > 100 * (atol + rtol * np.abs(e))",
  "tests/test_bug_classes.py", "assert_close"),
 ("assert_close rtol ignored", "utils/checks.py", "diff > atol + rtol * np.abs(e)", "diff > atol + 1e-3 * np.abs(e)",
  "tests/test_bug_classes.py", "assert_close"),
 ("top-p slider edits state without redraw", "utils/widgets/next_token.py",
  'self.top_p = self.link(widgets.FloatSlider(', 'self.top_p = (lambda w, f: (w.observe(lambda c: setattr(self.state, f, c["new"]), names="value"), w)[1])(widgets.FloatSlider(',
  "tests/test_every_control.py", "next_token"),
 ("mean pooling over padded length", "utils/finetune.py", "(hidden * real).sum(dim=1) / lengths[:, None]", "(hidden * real).sum(dim=1) / ids.shape[1]",
  "tests/test_bug_classes.py", "pooling"),
 ("top-k keeps k+1", "utils/sampling.py", "torch.topk(logits, top_k, dim=-1).values[:, -1:]", "torch.topk(logits, min(top_k + 1, logits.size(-1)), dim=-1).values[:, -1:]",
  "tests/test_bug_classes.py", "top_k"),
 ("top-p keeps one token too many", "utils/sampling.py", "masked_fill(before >= top_p, 0.0)", "masked_fill(before > top_p + 0.05, 0.0)",
  "tests/test_bug_classes.py", "top_p"),
 ("attention without 1/sqrt(d) (traced path)", "utils/models.py", "scores = q @ k.transpose(-2, -1) / math.sqrt(k.shape[-1])", "scores = q @ k.transpose(-2, -1)",
  "tests/test_bug_classes.py", "attention"),
 ("attention without 1/sqrt(d) (fast path)", "utils/models.py", "is_causal=True, dropout_p=drop)", "is_causal=True, dropout_p=drop, scale=1.0)",
  "tests/test_bug_classes.py", "attention or checkpoint"),
 ("llama attention without 1/sqrt(d)", "utils/llama.py", "scores = q @ k.unsqueeze(2).transpose(-2, -1) / math.sqrt(self.head_dim)", "scores = q @ k.unsqueeze(2).transpose(-2, -1)",
  "tests/test_bug_classes.py", "llama_attention"),
 ("RoPE base 10x from the GGUF", "utils/gguf_model.py", 'rope_theta=float(metadata["llama.rope.freq_base"])', 'rope_theta=10 * float(metadata["llama.rope.freq_base"])',
  "tests/test_bug_classes.py", "smollm2"),
 ("RoPE base 10x, seen by the real model", "utils/gguf_model.py", 'rope_theta=float(metadata["llama.rope.freq_base"])', 'rope_theta=10 * float(metadata["llama.rope.freq_base"])',
  "tests/test_bug_classes.py", "hamlet"),
 ("fast-path attention without 1/sqrt(d), seen by the card", "utils/models.py", "is_causal=True, dropout_p=drop)", "is_causal=True, dropout_p=drop, scale=1.0)",
  "tests/test_bug_classes.py", "checkpoint"),
]
only = sys.argv[1:]
for name, path, old, new, test, k in MUTATIONS:
    if only and not any(o in name for o in only):
        continue
    full = os.path.join(ROOT, path)
    src = open(full).read()
    assert src.count(old) == 1, (name, old)
    open(full, "w").write(src.replace(old, new))
    try:
        r = subprocess.run([sys.executable, "-m", "pytest", test, "-q", "-p", "no:cacheprovider", "-k", k, "-x"],
                           cwd=ROOT, env=ENV, capture_output=True, text=True)
    finally:
        open(full, "w").write(src)
    failed = [line.split()[1] for line in r.stdout.splitlines() if line.startswith("FAILED")]
    print(f"{name:45s} rc={r.returncode} {'CAUGHT' if r.returncode == 1 and failed else 'NOT CAUGHT'} {failed}", flush=True)
    print("   ", r.stdout.strip().splitlines()[-1] if r.stdout.strip() else r.stderr[-300:], flush=True)
