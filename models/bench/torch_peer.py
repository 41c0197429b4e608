#!/usr/bin/env python3
"""The peer for the engine benchmark: the same TorchScript files run by Python torch with the same
sampling loop (DDIM, classifier-free guidance in one doubled batch, then 4x super-resolution), the
same thread count. Prints seconds per batch as JSON for the Java bench to put side by side.

    /usr/bin/python3 models/bench/torch_peer.py --threads 2 --batches 1,4,8,16 --base-steps 10 --sr-steps 5
"""
import argparse
import json
import math
import os
import time

import torch
import torch.nn.functional as F

HERE = os.path.dirname(os.path.abspath(__file__))


def alpha_bar(T=1000):
    def f(t):
        return math.cos((t / T + 0.008) / 1.008 * math.pi / 2) ** 2
    out, prev = [], 1.0
    for t in range(T):
        prev *= 1 - min(1 - f(t + 1) / f(t), 0.999)
        out.append(prev)
    return out


AB = alpha_bar()


def ddim(x, steps, eps_fn):
    ts = [int(math.floor(i * 1000 / steps)) for i in range(steps)][::-1]
    for i, t in enumerate(ts):
        a = AB[t]
        a_prev = AB[ts[i + 1]] if i + 1 < steps else 1.0
        eps = eps_fn(x, t)
        x0 = ((x - math.sqrt(1 - a) * eps) / math.sqrt(a)).clamp(-1, 1)
        eps = (x - math.sqrt(a) * x0) / math.sqrt(1 - a)
        x = math.sqrt(a_prev) * x0 + math.sqrt(1 - a_prev) * eps
    return x


def _timed(fn):
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--threads", type=int, default=2)
    p.add_argument("--batches", default="1,4,8,16")
    p.add_argument("--base-steps", type=int, default=10)
    p.add_argument("--sr-steps", type=int, default=5)
    p.add_argument("--reps", type=int, default=3)
    args = p.parse_args()
    torch.set_num_threads(args.threads)
    torch.set_num_interop_threads(1)
    pk = os.path.join(HERE, "packages")
    enc = torch.jit.load(os.path.join(pk, "bench-base", "text_encoder.pt"))
    base = torch.jit.load(os.path.join(pk, "bench-base", "denoiser.pt"))
    sr = torch.jit.load(os.path.join(pk, "bench-sr", "denoiser.pt"))

    def preview(b):
        tokens = torch.zeros(2 * b, 16, dtype=torch.long)
        tokens[:b, :3] = torch.tensor([5, 6, 7])
        cond = enc(tokens)

        def eps_fn(x, t):
            tt = torch.full((2 * b,), float(t))
            out = base(torch.cat([x, x]), tt, cond)
            e_c, e_u = out[:b], out[b:]
            return e_u + 3.0 * (e_c - e_u)
        return ddim(torch.randn(b, 3, 32, 32), args.base_steps, eps_fn)

    def full(b):
        low = preview(b)
        up = F.interpolate(low, size=(128, 128), mode="bilinear", align_corners=False)
        return ddim(torch.randn(b, 3, 128, 128), args.sr_steps,
                    lambda x, t: sr(x, torch.full((b,), float(t)), up))

    result = {"torch": torch.__version__, "threads": args.threads, "preview": {}, "full": {}}
    with torch.no_grad():
        # this torch's own matrix-multiply rate, for context (Debian's build uses a generic BLAS)
        a, b = torch.randn(2048, 2048), torch.randn(2048, 2048)
        torch.mm(a, b)
        result["sgemm_gflops"] = 2 * 2048 ** 3 / min(_timed(lambda: torch.mm(a, b)) for _ in range(3)) / 1e9
        for mode, fn in (("preview", preview), ("full", full)):
            for b in [int(s) for s in args.batches.split(",")]:
                fn(b)  # warm-up
                times = []
                for _ in range(args.reps):
                    t0 = time.perf_counter()
                    fn(b)
                    times.append(time.perf_counter() - t0)
                result[mode][str(b)] = sorted(times)[len(times) // 2]
    print(json.dumps(result))


if __name__ == "__main__":
    main()
