"""The denoiser architecture of genq's default models (DESIGN.md section 5 sizes).

A small UNet: residual blocks with GroupNorm and SiLU, the timestep embedding (plus, for text-to-image,
the prompt embedding) added in every block, self-attention at the lowest resolutions. The same class
serves the 32x32 base model (3 input channels) and the super-resolution model (6 input channels: the
noisy image and the upsampled low-resolution image). FLOPs of a forward are counted by flops().
"""
import math

import torch
import torch.nn as nn
import torch.nn.functional as F


def timestep_embedding(t, dim):
    half = dim // 2
    freqs = torch.exp(-math.log(10000.0) * torch.arange(half, dtype=torch.float32, device=t.device) / half)
    args = t.float()[:, None] * freqs[None, :]
    return torch.cat([torch.sin(args), torch.cos(args)], dim=1)


class GroupNorm32(nn.GroupNorm):
    """GroupNorm computed in fp32 under bf16 autocast (bf16 statistics are too coarse, and torch 1.13
    refuses a bf16 input with fp32 weights); a no-op cast in fp32 inference."""

    def forward(self, x):
        return super().forward(x.float()).type(x.dtype)


class ResBlock(nn.Module):
    def __init__(self, cin, cout, emb):
        super().__init__()
        self.norm1 = GroupNorm32(min(8, cin), cin)
        self.conv1 = nn.Conv2d(cin, cout, 3, padding=1)
        self.emb = nn.Linear(emb, cout)
        self.norm2 = GroupNorm32(min(8, cout), cout)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else nn.Identity()

    def forward(self, x, e):
        h = self.conv1(F.silu(self.norm1(x)))
        h = h + self.emb(F.silu(e))[:, :, None, None]
        h = self.conv2(F.silu(self.norm2(h)))
        return self.skip(x) + h


class Attention(nn.Module):
    FLOPS = [0]  # multiply-adds of the attention matmuls, counted while flops() runs

    def __init__(self, ch, heads=4):
        super().__init__()
        self.heads = heads
        self.norm = GroupNorm32(min(8, ch), ch)
        self.qkv = nn.Conv2d(ch, 3 * ch, 1)
        self.out = nn.Conv2d(ch, ch, 1)

    def forward(self, x):
        b, c, h, w = x.shape
        q, k, v = self.qkv(self.norm(x)).reshape(b, 3, self.heads, c // self.heads, h * w).unbind(1)
        attn = torch.softmax(torch.einsum("bhdn,bhdm->bhnm", q, k) / math.sqrt(c // self.heads), dim=-1)
        y = torch.einsum("bhnm,bhdm->bhdn", attn, v).reshape(b, c, h, w)
        if not torch.jit.is_scripting() and not torch.jit.is_tracing():
            Attention.FLOPS[0] += 2 * 2 * b * self.heads * (h * w) ** 2 * (c // self.heads)
        return x + self.out(y)


class CrossAttention(nn.Module):
    """Image positions attend to the prompt's token features (plus a learned null token, so an empty prompt
    still has something to attend to); the output projection starts at zero, so adding it to a trained UNet
    leaves its function unchanged at first."""

    def __init__(self, ch, ctx_dim, heads=4):
        super().__init__()
        self.heads = heads
        self.norm = GroupNorm32(min(8, ch), ch)
        self.q = nn.Conv2d(ch, ch, 1)
        self.kv = nn.Linear(ctx_dim, 2 * ch)
        self.null_kv = nn.Parameter(torch.zeros(1, 1, 2 * ch))
        self.out = nn.Conv2d(ch, ch, 1)
        nn.init.zeros_(self.out.weight)
        nn.init.zeros_(self.out.bias)

    def forward(self, x, ctx, mask):
        b, c, h, w = x.shape
        d = c // self.heads
        q = self.q(self.norm(x)).reshape(b, self.heads, d, h * w)
        kv = torch.cat([self.null_kv.expand(b, 1, 2 * c).to(ctx.dtype), self.kv(ctx)], dim=1)  # [B, 1+L, 2C]
        k, v = kv.reshape(b, -1, 2, self.heads, d).permute(2, 0, 3, 4, 1).unbind(0)  # [B, heads, d, 1+L]
        keep = torch.cat([torch.ones_like(mask[:, :1]), mask], dim=1)  # [B, 1+L]
        scores = torch.einsum("bhdn,bhdm->bhnm", q, k) / math.sqrt(d)
        scores = scores.float().masked_fill(keep[:, None, None, :] < 0.5, -1e9)
        attn = torch.softmax(scores, dim=-1).type(v.dtype)
        y = torch.einsum("bhnm,bhdm->bhdn", attn, v).reshape(b, c, h, w)
        if not torch.jit.is_scripting() and not torch.jit.is_tracing():
            Attention.FLOPS[0] += 2 * 2 * b * self.heads * (h * w) * k.shape[-1] * d
        return x + self.out(y)


class UNet(nn.Module):
    """forward(x_t, t, cond): cond is the prompt embedding [B, cond_dim] (text-to-image) or the
    upsampled low-resolution image [B, 3, H, W] (super-resolution).

    With ctx_tokens > 0 (text-to-image), cond is [B, cond_dim + ctx_tokens * ctx_dim + ctx_tokens]: the
    pooled prompt embedding, the per-token features and the token mask (1 = word, 0 = padding), as
    TextEncoder(tokens_out=True) writes them; blocks at xattn_levels (and the middle) cross-attend to them."""

    def __init__(self, channels=(32, 64, 128), attention_levels=(2,), in_ch=3, cond_dim=128, image_cond=False,
                 xattn_levels=(), ctx_tokens=0, ctx_dim=0):
        super().__init__()
        self.image_cond = image_cond
        self.cond_dim, self.ctx_tokens, self.ctx_dim = cond_dim, ctx_tokens, ctx_dim
        use_x = ctx_tokens > 0
        emb = channels[0] * 4
        self.emb_dim = emb
        self.t_mlp = nn.Sequential(nn.Linear(channels[0], emb), nn.SiLU(), nn.Linear(emb, emb))
        self.c_proj = None if image_cond else nn.Linear(cond_dim, emb)
        self.inp = nn.Conv2d(in_ch + (3 if image_cond else 0), channels[0], 3, padding=1)
        self.down = nn.ModuleList()
        self.down_attn = nn.ModuleList()
        self.pools = nn.ModuleList()
        self.down_x = nn.ModuleList()
        self.up_x = nn.ModuleList()
        skips = [channels[0]]
        c = channels[0]
        for level, cout in enumerate(channels):
            self.down.append(ResBlock(c, cout, emb))
            self.down_attn.append(Attention(cout) if level in attention_levels else nn.Identity())
            if use_x:
                self.down_x.append(CrossAttention(cout, ctx_dim) if level in xattn_levels else nn.Identity())
            c = cout
            skips.append(c)
            if level < len(channels) - 1:
                self.pools.append(nn.Conv2d(c, c, 3, stride=2, padding=1))
        self.mid1 = ResBlock(c, c, emb)
        self.mid_attn = Attention(c)
        self.mid_x = CrossAttention(c, ctx_dim) if use_x else nn.Identity()
        self.mid2 = ResBlock(c, c, emb)
        self.up = nn.ModuleList()
        self.up_attn = nn.ModuleList()
        self.upsamples = nn.ModuleList()
        for level, cout in reversed(list(enumerate(channels))):
            self.up.append(ResBlock(c + skips.pop(), cout, emb))
            self.up_attn.append(Attention(cout) if level in attention_levels else nn.Identity())
            if use_x:
                self.up_x.append(CrossAttention(cout, ctx_dim) if level in xattn_levels else nn.Identity())
            c = cout
            if level > 0:
                self.upsamples.append(nn.Conv2d(c, c, 3, padding=1))
        self.out_norm = GroupNorm32(min(8, c), c)
        self.out = nn.Conv2d(c + skips.pop(), 3, 3, padding=1)

    def forward(self, x, t, cond):
        e = self.t_mlp(timestep_embedding(t, self.t_mlp[0].in_features))
        if self.image_cond:
            x = torch.cat([x, cond], dim=1)
        elif self.ctx_tokens > 0:
            return self._forward_x(x, e, cond)
        else:
            e = e + self.c_proj(cond)
        h = self.inp(x)
        hs = [h]
        for i, block in enumerate(self.down):
            h = self.down_attn[i](block(h, e))
            hs.append(h)
            if i < len(self.pools):
                h = self.pools[i](h)
        h = self.mid2(self.mid_attn(self.mid1(h, e)), e)
        for i, block in enumerate(self.up):
            h = self.up_attn[i](block(torch.cat([h, hs.pop()], dim=1), e))
            if i < len(self.upsamples):
                h = self.upsamples[i](F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return self.out(torch.cat([F.silu(self.out_norm(h)), hs.pop()], dim=1))

    def _forward_x(self, x, e, cond):
        n, L, dc = self.cond_dim, self.ctx_tokens, self.ctx_dim
        e = e + self.c_proj(cond[:, :n])
        ctx = cond[:, n:n + L * dc].reshape(cond.shape[0], L, dc)
        mask = cond[:, n + L * dc:]
        h = self.inp(x)
        hs = [h]
        for i, block in enumerate(self.down):
            h = self.down_attn[i](block(h, e))
            if not isinstance(self.down_x[i], nn.Identity):
                h = self.down_x[i](h, ctx, mask)
            hs.append(h)
            if i < len(self.pools):
                h = self.pools[i](h)
        h = self.mid2(self.mid_x(self.mid_attn(self.mid1(h, e)), ctx, mask), e)
        for i, block in enumerate(self.up):
            h = self.up_attn[i](block(torch.cat([h, hs.pop()], dim=1), e))
            if not isinstance(self.up_x[i], nn.Identity):
                h = self.up_x[i](h, ctx, mask)
            if i < len(self.upsamples):
                h = self.upsamples[i](F.interpolate(h, scale_factor=2.0, mode="nearest"))
        return self.out(torch.cat([F.silu(self.out_norm(h)), hs.pop()], dim=1))


class TextBlock(nn.Module):
    """Pre-norm transformer block with an explicit padding mask (traceable, unlike nn.TransformerEncoder's
    nested-tensor fast path)."""

    def __init__(self, dim, heads=4):
        super().__init__()
        self.heads = heads
        self.norm1 = nn.LayerNorm(dim)
        self.qkv = nn.Linear(dim, 3 * dim)
        self.proj = nn.Linear(dim, dim)
        self.norm2 = nn.LayerNorm(dim)
        self.mlp = nn.Sequential(nn.Linear(dim, 2 * dim), nn.GELU(), nn.Linear(2 * dim, dim))

    def forward(self, x, pad):
        b, n, d = x.shape
        q, k, v = self.qkv(self.norm1(x)).reshape(b, n, 3, self.heads, d // self.heads).permute(2, 0, 3, 1, 4)
        scores = (q @ k.transpose(-1, -2)) / math.sqrt(d // self.heads)
        scores = scores.masked_fill(pad[:, None, None, :], -1e9)
        y = (torch.softmax(scores, dim=-1) @ v).transpose(1, 2).reshape(b, n, d)
        x = x + self.proj(y)
        return x + self.mlp(self.norm2(x))


class TextEncoder(nn.Module):
    """tokens [B, L] int64 -> [B, dim]: embeddings, a small transformer, mean over non-pad tokens.

    Options (emoji-base since 0.6xxxx, MODEL_CARD.md): `grams` [V, G] (hashed character n-gram ids + 1 per
    vocabulary word, 0 pads) adds the mean of their embeddings to each word's, so a word never seen in
    training still gets a meaning from its spelling ("angels" ~ "angel"); `word_ids` [V] maps each id to
    itself or to <unk> (1) for words the training captions never contain, whose own embeddings were never
    trained. tokens_out=True returns [B, dim + L * dim + L]: the pooled vector, the per-token features and
    the token mask, for a UNet with cross-attention (UNet ctx_tokens=L, ctx_dim=dim)."""

    def __init__(self, vocab_size, dim=128, layers=2, max_tokens=16, grams=None, n_grams=0, word_ids=None,
                 tokens_out=False):
        super().__init__()
        self.tok = nn.Embedding(vocab_size, dim, padding_idx=0)
        self.pos = nn.Parameter(torch.zeros(1, max_tokens, dim))
        self.blocks = nn.ModuleList([TextBlock(dim) for _ in range(layers)])
        self.norm = nn.LayerNorm(dim)
        self.tokens_out = tokens_out
        self.use_grams = grams is not None
        if grams is not None:
            self.register_buffer("grams", grams)
            self.gram = nn.Embedding(n_grams + 1, dim, padding_idx=0)
            nn.init.zeros_(self.gram.weight)  # starts as a no-op (a warm start keeps its function)
        if word_ids is not None:
            self.register_buffer("word_ids", word_ids)
        self.use_word_ids = word_ids is not None
        if tokens_out:
            self.tok_norm = nn.LayerNorm(dim)
        self.word_drop = 0.0  # training only: this share of words loses its own embedding (keeps its n-grams)

    def forward(self, tokens):
        pad = tokens == 0
        ids = self.word_ids[tokens] if self.use_word_ids else tokens
        if self.training and self.word_drop > 0:
            ids = torch.where((torch.rand(ids.shape, device=ids.device) < self.word_drop) & ~pad,
                              torch.ones_like(ids), ids)
        h = self.tok(ids)
        if self.use_grams:
            g = self.grams[tokens]  # [B, L, G]
            cnt = (g > 0).float().sum(-1, keepdim=True).clamp(min=1.0)
            h = h + self.gram(g).sum(2) / cnt
        h = h + self.pos[:, : tokens.shape[1]]
        for block in self.blocks:
            h = block(h, pad)
        keep = (~pad).float().unsqueeze(-1)
        pooled = self.norm((h * keep).sum(1) / keep.sum(1).clamp(min=1.0))
        if not self.tokens_out:
            return pooled
        toks = self.tok_norm(h) * keep
        return torch.cat([pooled, toks.flatten(1), keep.squeeze(-1)], dim=1)


def char_grams(words, buckets=4096, per_word=24):
    """[V, per_word] hashed character 3- and 4-grams (of "<word>") + 1 for each vocabulary word; 0 pads.
    Ids 0 (padding) and 1 (<unk>) get none. A fixed hash (not Python's), so every run agrees."""
    import zlib
    out = torch.zeros(len(words), per_word, dtype=torch.long)
    for i, w in enumerate(words):
        if i < 2 or not w:
            continue
        s = "<" + w + ">"
        grams = sorted({s[j:j + n] for n in (3, 4) for j in range(len(s) - n + 1)})[:per_word]
        for k, g in enumerate(grams):
            out[i, k] = zlib.crc32(g.encode()) % buckets + 1
    return out


def flops(model, *inputs):
    """Floating-point operations (2 per multiply-add) of one forward, for batch 1 inputs."""
    total = [0]

    def conv_hook(m, inp, out):
        total[0] += 2 * out.numel() * (m.in_channels // m.groups) * m.kernel_size[0] * m.kernel_size[1]

    def linear_hook(m, inp, out):
        total[0] += 2 * out.numel() * m.in_features

    hooks = [m.register_forward_hook(conv_hook) for m in model.modules() if isinstance(m, nn.Conv2d)]
    hooks += [m.register_forward_hook(linear_hook) for m in model.modules() if isinstance(m, nn.Linear)]
    Attention.FLOPS[0] = 0
    with torch.no_grad():
        model(*inputs)
    for h in hooks:
        h.remove()
    return total[0] + Attention.FLOPS[0]
