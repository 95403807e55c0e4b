"""Train the course's GPT on several processes with DistributedDataParallel (notebook 14).

    torchrun --nproc_per_node=2 tools/train_ddp.py --steps 40      # 2 CPU processes, gloo
    torchrun --nproc_per_node=4 tools/train_ddp.py --steps 2000    # 4 GPUs, NCCL: the same code

The same as ``torchrun ... -m utils.ddp``; the code lives in ``utils/ddp.py`` so that it also runs
where only the package is installed (Colab).
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from utils.ddp import main  # noqa: E402

if __name__ == "__main__":
    main()
