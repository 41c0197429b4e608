#!/bin/bash
# Trains the three default models at once on one GPU, each bounded by MINUTES (the recipe of the model cards).
#
#   GENQ_DATA=DIR JUDGE=FILE OUT=DIR MINUTES=7 [BASE_INIT=FILE] [SR_INIT=FILE] models/train/gpu_train.sh
#
# GENQ_DATA: models/data/out, or a folder with data.npz (images32, images128) + rows32.json, rows128.json,
# vocab.txt. JUDGE: models/eval/cache/judge-2000.pt (evaluate.py trains it on the first run). BASE_INIT /
# SR_INIT: optimizer-free checkpoints ({ema, step}) to continue from. Writes to OUT: base.pt, sr.pt (best
# EMA snapshot, {ema, step, history, ...}: copy to models/train/checkpoints/emoji-*.pt to resume or export on
# a CPU), safety-final.pt (export with train_safety.py --export-from), safety-forward.pt and the logs.
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
[ -z "${SKIP_SAFETY:-}" ] && SAFE="--device cuda --threads 4 --steps ${SAFETY_STEPS:-8000} --batch 256 --width 48"
[ -z "${SKIP_SAFETY:-}" ] && (
  # thresholds: the lowest that keep precision >= 0.9 on the training images; the forward split (Twemoji
  # art of concept and held-out emoji never trained on) measures what that recipe gives on unseen art
  python3 train_safety.py $SAFE --split forward --thresholds seen-precision --weights-out "$OUT/safety-forward.pt" &
  python3 train_safety.py $SAFE --final --thresholds seen-precision --weights-out "$OUT/safety-final.pt" \
    --out "$CK/pkg-safety" &
  wait
) > "$OUT/safety.log" 2>&1 &
wait
nvidia-smi --query-gpu=name,memory.used --format=csv >> "$OUT/safety.log" 2>&1
