"""Shared by the training recipes: the dataset, captions, the tokenizer, the noise schedule,
checkpoints that survive interruption, and export to the engine's package format (models/README.md)."""
import json
import math
import os
import random
import re
import time

import numpy as np
import torch
import torch.nn.functional as F

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
# GENQ_DATA points elsewhere (a GPU machine gets a compressed copy: data.npz + rows*.json + vocab.txt)
DATA = os.environ.get("GENQ_DATA") or os.path.join(ROOT, "models", "data", "out")
MAX_TOKENS = 16
T = 1000


def words(text):
    """The engine's tokenizer (models/README.md): lower-case, split on anything not a letter or digit."""
    return [w for w in re.split(r"[^\w]|_", text.lower()) if w]


class Vocab:
    def __init__(self, path=None):
        path = path or os.path.join(DATA, "vocab.txt")
        self.words = [w.rstrip("\n") for w in open(path)]
        self.ids = {w: i for i, w in enumerate(self.words)}

    def encode(self, text):
        ids = [self.ids.get(w, 1) for w in words(text)][:MAX_TOKENS]
        return ids + [0] * (MAX_TOKENS - len(ids))


def load_rows(size):
    return json.load(open(os.path.join(DATA, f"rows{size}.json")))


def load(size):
    return _array(f"images{size}"), json.load(open(os.path.join(DATA, f"rows{size}.json")))


def load_extra():
    """The extra art styles (build_dataset.py: extra32.npy + extra_rows32.json), for emoji-safety."""
    return _array("extra32"), json.load(open(os.path.join(DATA, "extra_rows32.json")))


def _array(name):
    """name.npy as build_dataset.py writes it, or that entry of a GPU machine's compressed data.npz."""
    path = os.path.join(DATA, f"{name}.npy")
    return np.load(path) if os.path.exists(path) else np.load(os.path.join(DATA, "data.npz"))[name]


def to_tensor(images):
    """uint8 NHWC -> float NCHW in [-1, 1]."""
    return torch.from_numpy(images).permute(0, 3, 1, 2).float() / 127.5 - 1


def caption(row, rng):
    """Training captions: the label, the label with some tags, or tags alone."""
    tags = [t for t in row["tags"] if t]
    r = rng.random()
    if r < 0.5 or not tags:
        return row["label"]
    if r < 0.8:
        return row["label"] + " " + " ".join(rng.sample(tags, min(len(tags), rng.randint(1, 3))))
    return " ".join(rng.sample(tags, min(len(tags), rng.randint(1, 3))))


def cosine_alpha_bar():
    def f(t):
        return math.cos((t / T + 0.008) / 1.008 * math.pi / 2) ** 2
    out, prev = [], 1.0
    for t in range(T):
        prev *= 1 - min(1 - f(t + 1) / f(t), 0.999)
        out.append(prev)
    return torch.tensor(out, dtype=torch.float32)


class Checkpoint:
    """Saves model, EMA, optimizer, step and RNG atomically, so a killed run resumes where it stopped."""

    def __init__(self, path):
        self.path = path
        os.makedirs(os.path.dirname(path), exist_ok=True)

    def save(self, state):
        tmp = self.path + ".tmp"
        torch.save(state, tmp)
        os.replace(tmp, self.path)

    def load(self):
        return torch.load(self.path, map_location="cpu") if os.path.exists(self.path) else None


def cosine_decay(n, steps, floor=0.05):
    """1 -> floor along a half cosine over `steps` steps (then floor)."""
    return floor + (1 - floor) * 0.5 * (1 + math.cos(math.pi * min(n, steps) / steps))


def device_of(name):
    """--device: "cpu", "cuda", or "auto" (cuda when there is one)."""
    if name == "auto":
        name = "cuda" if torch.cuda.is_available() else "cpu"
    return torch.device(name)


def denoising_step(model, opt, ema, alpha_bar, step, base_lr, x0, predict, warm=None, decay=0, lr_scale=None,
                   extra=None):
    """One epsilon-prediction training step: noise x0 at a uniform timestep, predict the noise under bf16
    autocast (CPU or CUDA, whichever x0 is on), MSE, clipped gradients, 500-step linear warm-up (counted
    from `warm`, the steps this run has taken, when given: a fresh optimizer on resumed weights warms up
    again), then a cosine decay to 5% over `decay` steps if given, EMA. `predict(xt, t)` runs the model. Returns the loss (a tensor: .item() syncs a GPU)."""
    t = torch.randint(0, T, (x0.shape[0],), device=x0.device)
    noise = torch.randn_like(x0)
    a = alpha_bar.to(x0.device)[t].view(-1, 1, 1, 1)
    xt = a.sqrt() * x0 + (1 - a).sqrt() * noise
    for g in opt.param_groups:
        n = step if warm is None else warm
        g["lr"] = base_lr * min(1.0, (n + 1) / 500) * (cosine_decay(n, decay) if decay else 1.0) * \
            (1.0 if lr_scale is None else lr_scale)
    with torch.autocast(x0.device.type, dtype=torch.bfloat16):
        pred = predict(xt, t.float())
        aux = extra() if extra is not None else None
    loss = F.mse_loss(pred.float(), noise)
    if aux is not None:
        loss = loss + aux.float()
    opt.zero_grad(set_to_none=True)
    loss.backward()
    torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
    opt.step()
    ema.update(model)
    return loss.detach()


def resume(model, opt, ckpt, state=None):
    """Restores model, optimizer, RNG and EMA from the checkpoint if there is one: (step, ema or None).

    An optimizer-free checkpoint ({"ema", "step"}, optionally "model"; what a GPU run brings back) resumes
    too: the model starts from the EMA weights when there is no "model", with a fresh optimizer."""
    state = state if state is not None else ckpt.load()
    if not state:
        return 0, None
    device = next(model.parameters()).device
    model.load_state_dict(state.get("model") or state["ema"])
    if "opt" in state:
        opt.load_state_dict(state["opt"])
    if "rng" in state:
        torch.set_rng_state(state["rng"])
    ema = Ema(model)
    ema.shadow = {k: v.to(device) for k, v in state["ema"].items()}
    print(f"resumed at step {state['step']}" + ("" if "opt" in state else " (weights only, fresh optimizer)"))
    return state["step"], ema


def save(ckpt, model, ema, opt, step, arch=None):
    state = {"model": model.state_dict(), "ema": ema.shadow, "opt": opt.state_dict(), "step": step,
             "rng": torch.get_rng_state()}
    if arch:
        state["arch"] = arch
    ckpt.save(state)


def cpu_state(state):
    return {k: v.detach().float().cpu().clone() if v.dtype.is_floating_point else v.detach().cpu().clone()
            for k, v in state.items()}


class StepLog:
    """Mean loss and seconds per step, printed every `every` steps."""

    def __init__(self, every=50):
        self.every, self.losses, self.t0 = every, [], time.time()

    def add(self, step, loss):
        self.losses.append(float(loss) if step % self.every == 0 or not torch.is_tensor(loss) else loss)
        if step % self.every == 0:
            print(f"step {step} loss {float(sum(self.losses)) / len(self.losses):.4f} "
                  f"{(time.time() - self.t0) / len(self.losses):.2f} s/step", flush=True)
            self.losses, self.t0 = [], time.time()


class Ema:
    def __init__(self, model, decay=0.999):
        self.decay = decay
        self.shadow = {k: v.detach().clone() for k, v in model.state_dict().items()}

    def update(self, model):
        with torch.no_grad():
            state = model.state_dict()
            keys = [k for k, v in state.items() if v.dtype.is_floating_point]
            shadow, live = [self.shadow[k] for k in keys], [state[k].detach() for k in keys]
            # one fused update over all tensors (a loop launches two GPU kernels per tensor)
            torch._foreach_mul_(shadow, self.decay)
            torch._foreach_add_(shadow, live, alpha=1 - self.decay)
            for k, v in state.items():
                if not v.dtype.is_floating_point:
                    self.shadow[k].copy_(v)


def write_package(out, files, meta):
    """TorchScript files (traced, not frozen, so the weights can be read back to resume) + model.json."""
    os.makedirs(out, exist_ok=True)
    for fname, module, example in files:
        torch.jit.trace(module.eval(), example).save(os.path.join(out, fname))
    with open(os.path.join(out, "model.json"), "w") as f:
        json.dump(meta, f, indent=2)
        f.write("\n")


class Deadline:
    def __init__(self, minutes):
        self.end = time.time() + minutes * 60 if minutes else None
        self.total = minutes * 60

    def fraction(self):
        """Share of the time used (0 without a limit)."""
        if self.end is None:
            return 0.0
        return min(1.0, 1 - (self.end - time.time()) / self.total)

    def passed(self):
        return self.end is not None and time.time() > self.end


def seed_everything(seed):
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)
