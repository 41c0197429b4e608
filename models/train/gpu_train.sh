#!/bin/bash
# Trains the three default models at once on one GPU, each bounded by MINUTES (the recipe of the model cards).
#
#   GENQ_DATA=DIR JUDGE=FILE OUT=DIR MINUTES=7 [BASE_INIT=FILE] [SR_INIT=FILE] models/train/gpu_train.sh
#
# GENQ_DATA: models/data/out, or a folder with data.npz (images32, images128) + rows32.json, rows128.json,
# vocab.txt. JUDGE: models/eval/cache/judge-2000.pt (evaluate.py trains it on the first run). BASE_INIT /
# SR_INIT: optimizer-free checkpoints ({ema, step}) to continue from. Writes to OUT: base.pt, sr.pt (best
# EMA snapshot, {ema, step, history, ...}: copy to models/train/checkpoints/emoji-*.pt to resume or export on
# a CPU), safety-w48.pt + safety-w64.pt (export with train_safety.py --export-from), safety-folds-* and the logs.
# BASE_ARGS: more train_base.py arguments (e.g. "--decay-steps 4000"); SAFETY_ONLY=1 / SKIP_SAFETY=1.
set -u
OUT=${OUT:-/tmp/genq-gpu}; MIN=${MINUTES:-7}; CK=$(mktemp -d)
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=4
cd "$(dirname "$0")"
if [ -z "${SAFETY_ONLY:-}" ]; then
[ -n "${BASE_INIT:-}" ] && cp "$BASE_INIT" "$CK/emoji-base.pt"
[ -n "${SR_INIT:-}" ] && cp "$SR_INIT" "$CK/emoji-sr.pt"
python3 train_base.py --device cuda --threads 4 --batch 256 --lr 3e-4 --steps 1000000 --minutes "$MIN" \
  --save-every 1000000 --eval-every 500 --eval-guidance 5,8,12 --keep-best --judge "$JUDGE" --checkpoint "$CK/emoji-base.pt" \
  --weights-out "$OUT/base.pt" --out "$CK/pkg-base" ${BASE_ARGS:-} > "$OUT/base.log" 2>&1 &
python3 train_sr.py --device cuda --threads 4 --crop 128 --batch 48 --lr 2e-4 --steps 1000000 --minutes "$MIN" \
  --save-every 1000000 --eval-every 500 --keep-best --checkpoint "$CK/emoji-sr.pt" \
  --weights-out "$OUT/sr.pt" --out "$CK/pkg-sr" > "$OUT/sr.log" 2>&1 &
fi
[ -z "${SKIP_SAFETY:-}" ] && SAFE="--device cuda --threads 4"
[ -z "${SKIP_SAFETY:-}" ] && (
  # emoji-safety 1.12001: two members (width 48 / 8,000 steps, width 64 / 12,000 steps), each with its
  # cross-validation by art family (folds for train_safety.py --score-folds); export the ensemble on a CPU:
  # train_safety.py --export-from safety-w48.pt,safety-w64.pt --version 1.12001
  python3 train_safety.py $SAFE --final --weights-out "$OUT/safety-w48.pt" --out "$CK/pkg-safety-w48" &
  python3 train_safety.py $SAFE --final --width 64 --steps 12000 --weights-out "$OUT/safety-w64.pt" --out "$CK/pkg-safety-w64" &
  wait
  python3 train_safety.py $SAFE --cross-validate --folds-out "$OUT/safety-folds-w48" &
  python3 train_safety.py $SAFE --cross-validate --width 64 --steps 12000 --folds-out "$OUT/safety-folds-w64" &
  wait
) > "$OUT/safety.log" 2>&1 &
wait
nvidia-smi --query-gpu=name,memory.used --format=csv >> "$OUT/safety.log" 2>&1
