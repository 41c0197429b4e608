#!/usr/bin/env python3
"""Independent PyTorch reference for the engine's samplers (Debian python3-torch 1.13).

Written from the published update rules, not from the Java code: DDPM ancestral (posterior with the
"fixed small" variance), DDIM with eta (clipped x0, epsilon re-derived from it, as diffusers'
use_clipped_model_output), DPM-Solver++(2M) (data prediction clipped to [-1, 1], second-order multistep,
first order on the first and the last step). Classifier-free guidance: eps = eps_u + g * (eps_c - eps_u).

For the fixture denoiser models/fixtures/tiny-base (run at 16x16 to keep the vectors small), fixed
prompt tokens and a seed, it writes the initial noise, the per-step noise, and each sampler's final
sample as raw little-endian float32 files plus cases.json, and the timesteps each timestep_spacing
(leading, trailing, linspace: diffusers' numpy expressions) visits for a range of step counts. The Java test feeds the same noise through
the engine and must match to 1e-4.

    /usr/bin/python3 worker/src/test/resources/sampler-reference/make_reference.py
"""
import json
import math
import os

import numpy as np
import torch

HERE = os.path.dirname(os.path.abspath(__file__))
FIXTURE = os.path.join(HERE, "../../../../../models/fixtures/tiny-base")
T = 1000
SHAPE = (2, 3, 16, 16)


def cosine_alpha_bar(timesteps):
    def f(t):
        return math.cos((t / timesteps + 0.008) / 1.008 * math.pi / 2) ** 2
    out, prev = [], 1.0
    for t in range(timesteps):
        beta = min(1 - f(t + 1) / f(t), 0.999)
        prev *= 1 - beta
        out.append(prev)
    return torch.tensor(out, dtype=torch.float64)


def spaced(steps, spacing="leading", span=T):
    """The timesteps a run visits, noisiest first, as diffusers' schedulers compute them (numpy)."""
    if spacing == "leading":  # genq's packages before timestep_spacing: floor(i * L / N)
        return [int(math.floor(i * span / steps)) for i in range(steps)][::-1]
    if spacing == "trailing":
        return (np.round(np.arange(span, 0, -span / steps)).astype(np.int64) - 1).tolist()
    if spacing == "linspace":
        return np.linspace(0, span - 1, steps).round()[::-1].astype(np.int64).tolist()
    raise ValueError(spacing)


def ddim(eps_fn, x, ab, steps, eta, noises, spacing="leading"):
    ts = spaced(steps, spacing)
    for i, t in enumerate(ts):
        a_t = ab[t].item()
        a_prev = ab[ts[i + 1]].item() if i + 1 < steps else 1.0
        eps = eps_fn(x, t)
        x0 = ((x - math.sqrt(1 - a_t) * eps) / math.sqrt(a_t)).clamp(-1, 1)
        eps = (x - math.sqrt(a_t) * x0) / math.sqrt(1 - a_t)
        var = (1 - a_prev) / (1 - a_t) * (1 - a_t / a_prev)
        std = eta * math.sqrt(var)
        x = math.sqrt(a_prev) * x0 + math.sqrt(max(1 - a_prev - std * std, 0.0)) * eps
        if eta > 0 and i + 1 < steps:
            x = x + std * noises[i]
    return x


def ddpm(eps_fn, x, ab, steps, noises, spacing="leading"):
    ts = spaced(steps, spacing)
    for i, t in enumerate(ts):
        a_t = ab[t].item()
        a_prev = ab[ts[i + 1]].item() if i + 1 < steps else 1.0
        beta = 1 - a_t / a_prev
        eps = eps_fn(x, t)
        x0 = ((x - math.sqrt(1 - a_t) * eps) / math.sqrt(a_t)).clamp(-1, 1)
        mean = (math.sqrt(a_prev) * beta / (1 - a_t)) * x0 + (math.sqrt(1 - beta) * (1 - a_prev) / (1 - a_t)) * x
        if i + 1 < steps:
            x = mean + math.sqrt(beta * (1 - a_prev) / (1 - a_t)) * noises[i]
        else:
            x = mean
    return x


def dpmpp_2m(eps_fn, x, ab, steps, spacing="leading"):
    ts = spaced(steps, spacing)
    prev_x0, prev_h = None, None
    for i, t in enumerate(ts):
        a_s = ab[t].item()
        alpha_s, sigma_s = math.sqrt(a_s), math.sqrt(1 - a_s)
        eps = eps_fn(x, t)
        x0 = ((x - sigma_s * eps) / alpha_s).clamp(-1, 1)
        if i + 1 == steps:
            x = x0  # the final step lands on t = 0 (sigma = 0): the data prediction itself
            break
        a_t = ab[ts[i + 1]].item()
        alpha_t, sigma_t = math.sqrt(a_t), math.sqrt(1 - a_t)
        h = math.log(alpha_t / sigma_t) - math.log(alpha_s / sigma_s)
        if prev_x0 is None:
            d = x0
        else:
            r = prev_h / h
            d = x0 + (x0 - prev_x0) / (2 * r)
        x = (sigma_t / sigma_s) * x - alpha_t * math.expm1(-h) * d
        prev_x0, prev_h = x0, h
    return x


def main():
    torch.manual_seed(1234)
    enc = torch.jit.load(os.path.join(FIXTURE, "text_encoder.pt"))
    den = torch.jit.load(os.path.join(FIXTURE, "denoiser.pt"))
    vocab = [w.strip() for w in open(os.path.join(FIXTURE, "vocab.txt"))]
    ids = {w: i for i, w in enumerate(vocab)}

    def tokens(text):
        out = [ids.get(w, 1) for w in text.lower().split()][:16]
        return out + [0] * (16 - len(out))

    prompts = ["a red apple", "a blue cat"]
    negative = ["", "green"]
    tok_c = torch.tensor([tokens(p) for p in prompts])
    tok_u = torch.tensor([tokens(n) for n in negative])
    with torch.no_grad():
        cond = enc(tok_c)
        uncond = enc(tok_u)
    ab = cosine_alpha_bar(T)
    x_T = torch.randn(SHAPE, dtype=torch.float32)
    max_steps = 25
    noises = torch.randn((max_steps,) + SHAPE, dtype=torch.float32)

    def eps_fn_for(g):
        def eps_fn(x, t):
            tt = torch.full((x.shape[0],), float(t))
            with torch.no_grad():
                if g == 1.0:
                    return den(x.float(), tt, cond).double()
                out = den(torch.cat([x, x]).float(), torch.cat([tt, tt]), torch.cat([cond, uncond])).double()
            e_c, e_u = out[: x.shape[0]], out[x.shape[0]:]
            return e_u + g * (e_c - e_u)
        return eps_fn

    def save(name, tensor):
        tensor.detach().float().contiguous().numpy().astype("<f4").tofile(os.path.join(HERE, name))
        return name

    x64 = x_T.double()
    n64 = noises.double()
    cases = []
    for sampler, steps, g, eta, spacing in [
            ("ddim", 10, 3.0, 0.0, "leading"), ("ddim", 7, 1.0, 0.0, "leading"), ("ddim", 10, 3.0, 0.5, "leading"),
            ("ddpm", 25, 3.0, None, "leading"), ("ddpm", 1, 2.0, None, "leading"),
            ("dpmpp_2m", 10, 3.0, None, "leading"), ("dpmpp_2m", 3, 0.0, None, "leading"),
            ("ddim", 4, 3.0, 0.0, "trailing"), ("ddim", 1, 3.0, 0.0, "trailing"), ("dpmpp_2m", 4, 3.0, None, "trailing"),
            ("ddpm", 4, 3.0, None, "trailing"), ("ddim", 6, 3.0, 0.0, "linspace")]:
        fn = eps_fn_for(g)
        if sampler == "ddim":
            out = ddim(fn, x64, ab, steps, eta, n64, spacing)
        elif sampler == "ddpm":
            out = ddpm(fn, x64, ab, steps, n64, spacing)
        else:
            out = dpmpp_2m(fn, x64, ab, steps, spacing)
        name = f"{sampler}_{steps}_g{g}" + (f"_eta{eta}" if eta else "") + ("" if spacing == "leading" else "_" + spacing) + ".f32"
        cases.append({"sampler": sampler, "steps": steps, "guidance_scale": g, "eta": eta or 0.0,
                      "timestep_spacing": spacing, "expected": save(name, out)})
    spacings = [{"spacing": sp, "span": span, "steps": n, "timesteps": spaced(n, sp, span)}
                for sp in ("leading", "trailing", "linspace") for span in (T, 700)
                for n in (1, 2, 3, 4, 6, 7, 8, 10, 20, 25, 50, 99)]
    meta = {
        "model": "models/fixtures/tiny-base",
        "shape": list(SHAPE),
        "prompt_tokens": tok_c.tolist(),
        "negative_tokens": tok_u.tolist(),
        "initial_noise": save("initial_noise.f32", x_T),
        "step_noise": save("step_noise.f32", noises),
        "step_noise_count": max_steps,
        "cases": cases,
        "spacings": spacings,
        "torch": torch.__version__,
    }
    with open(os.path.join(HERE, "cases.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")
    print("wrote", len(cases), "cases to", HERE)


if __name__ == "__main__":
    main()
