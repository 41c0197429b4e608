#!/usr/bin/python3
"""Reference vectors for SchedulerReferenceTest: diffusers' scheduler arithmetic transcribed in PyTorch (no diffusers
install needed; Debian's python3-torch 1.13 is enough). For each scheduler_config a package may carry: alphas_cumprod
as DDIMScheduler.__init__ builds it (beta_schedule, beta_start/end, rescale_betas_zero_snr), the timesteps
DDIMScheduler.set_timesteps visits (timestep_spacing, steps_offset), and the noise each prediction_type implies, as
DDIMScheduler.step derives pred_epsilon. Run from this directory: /usr/bin/python3 make_reference.py > cases.json"""
import json
import math

import numpy as np
import torch


def betas_for_alpha_bar(n, max_beta=0.999):
    f = lambda t: math.cos((t + 0.008) / 1.008 * math.pi / 2) ** 2
    return torch.tensor([min(1 - f((i + 1) / n) / f(i / n), max_beta) for i in range(n)], dtype=torch.float32)


def rescale_zero_terminal_snr(betas):
    alphas_bar_sqrt = torch.cumprod(1.0 - betas, dim=0).sqrt()
    a0 = alphas_bar_sqrt[0].clone()
    at = alphas_bar_sqrt[-1].clone()
    alphas_bar_sqrt -= at
    alphas_bar_sqrt *= a0 / (a0 - at)
    alphas_bar = alphas_bar_sqrt ** 2
    alphas = torch.cat([alphas_bar[0:1], alphas_bar[1:] / alphas_bar[:-1]])
    return 1 - alphas


def alphas_cumprod(c):
    t = c["num_train_timesteps"]
    if c["beta_schedule"] == "linear":
        betas = torch.linspace(c["beta_start"], c["beta_end"], t, dtype=torch.float32)
    elif c["beta_schedule"] == "scaled_linear":
        betas = torch.linspace(c["beta_start"] ** 0.5, c["beta_end"] ** 0.5, t, dtype=torch.float32) ** 2
    else:
        betas = betas_for_alpha_bar(t)
    if c.get("rescale_betas_zero_snr"):
        betas = rescale_zero_terminal_snr(betas)
    return torch.cumprod(1.0 - betas, dim=0)


def timesteps(c, n):
    t = c["num_train_timesteps"]
    spacing = c.get("timestep_spacing", "leading")
    if spacing == "linspace":
        return np.linspace(0, t - 1, n).round()[::-1].astype(np.int64)
    if spacing == "leading":
        ratio = t // n
        return (np.arange(0, n) * ratio).round()[::-1].astype(np.int64) + c.get("steps_offset", 0)
    return np.round(np.arange(t, 0, -t / n)).astype(np.int64) - 1


def epsilon(prediction, out, x, a):
    if prediction == "epsilon":
        return out
    if prediction == "sample":
        return (x - a ** 0.5 * out) / (1 - a) ** 0.5
    return a ** 0.5 * out + (1 - a) ** 0.5 * x  # v_prediction


CONFIGS = [
    # Stable Diffusion 1.x's scheduler_config.json (PNDM/DDIM): scaled_linear, leading with steps_offset 1
    {"beta_schedule": "scaled_linear", "beta_start": 0.00085, "beta_end": 0.012, "num_train_timesteps": 1000,
     "prediction_type": "epsilon", "timestep_spacing": "leading", "steps_offset": 1},
    # Stable Diffusion 2.x at 768: v_prediction
    {"beta_schedule": "scaled_linear", "beta_start": 0.00085, "beta_end": 0.012, "num_train_timesteps": 1000,
     "prediction_type": "v_prediction", "timestep_spacing": "leading", "steps_offset": 1},
    # Lin et al.'s fix: zero terminal SNR, trailing
    {"beta_schedule": "scaled_linear", "beta_start": 0.00085, "beta_end": 0.012, "num_train_timesteps": 1000,
     "prediction_type": "v_prediction", "timestep_spacing": "trailing", "rescale_betas_zero_snr": True},
    {"beta_schedule": "linear", "beta_start": 0.0001, "beta_end": 0.02, "num_train_timesteps": 1000,
     "prediction_type": "sample", "timestep_spacing": "linspace"},
    {"beta_schedule": "squaredcos_cap_v2", "num_train_timesteps": 1000, "prediction_type": "epsilon",
     "timestep_spacing": "trailing"},
    {"beta_schedule": "linear", "beta_start": 0.0001, "beta_end": 0.02, "num_train_timesteps": 400,
     "prediction_type": "epsilon", "timestep_spacing": "leading", "steps_offset": 0},
]

torch.manual_seed(0)
cases = []
for c in CONFIGS:
    ac = alphas_cumprod(c)
    steps = {str(n): timesteps(c, n).tolist() for n in (1, 4, 7, 25, 50)}
    x = torch.randn(6, dtype=torch.float32)
    out = torch.randn(6, dtype=torch.float32)
    at = [int(v) for v in (1, c["num_train_timesteps"] // 2, c["num_train_timesteps"] - 2)]
    eps = {str(t): epsilon(c["prediction_type"], out, x, ac[t].double()).tolist() for t in at}
    cases.append({"config": c, "alphas_cumprod": ac.double().tolist(), "timesteps": steps,
                  "x": x.tolist(), "out": out.tolist(), "epsilon": eps})
print(json.dumps({"torch": torch.__version__, "cases": cases}))
