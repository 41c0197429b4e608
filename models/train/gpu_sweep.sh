#!/bin/bash
# Runs several emoji-base recipes side by side on one GPU (and, optionally, emoji-safety runs), each bounded
# by MINUTES, keeping each run's best EMA snapshot on the held-out selection seeds (train_base.py --keep-best).
#
#   GENQ_DATA=DIR JUDGE=FILE OUT=DIR MINUTES=8 models/train/gpu_sweep.sh "NAME ARGS..." ["NAME ARGS..." ...]
#
# Each quoted argument is a run: a name, then train_base.py arguments (e.g. "x40 --arch x40 --batch 512
# --lr 5e-4 --decay-time"). Writes OUT/NAME.pt ({ema, step, history, guidance, arch}) and OUT/NAME.log.
# SAFETY="NAME ARGS...;NAME ARGS..." adds train_safety.py runs (OUT/NAME.pt, OUT/NAME.log).
set -u
OUT=${OUT:-/tmp/genq-gpu}; MIN=${MINUTES:-8}; CK=$(mktemp -d)
mkdir -p "$OUT"
export PYTHONUNBUFFERED=1 OMP_NUM_THREADS=2
cd "$(dirname "$0")"
for run in "$@"; do
  set -- $run; name=$1; shift
  python3 train_base.py --device cuda --threads 2 --steps 1000000 --minutes "$MIN" --save-every 1000000 \
    --eval-every 500 --eval-guidance 5,8,12 --keep-best --judge "$JUDGE" --checkpoint "$CK/$name.ckpt" \
    --weights-out "$OUT/$name.pt" --out "$CK/pkg-$name" "$@" > "$OUT/$name.log" 2>&1 &
done
IFS=';' read -ra safety <<< "${SAFETY:-}"
for run in "${safety[@]}"; do
  set -- $run; name=$1; shift
  python3 train_safety.py --device cuda --threads 2 --weights-out "$OUT/$name.pt" --out "$CK/pkg-$name" "$@" \
    > "$OUT/$name.log" 2>&1 &
done
wait
