#!/usr/bin/env python3
"""Makes docs/contact-sheet.png through genq's own API: for each prompt a preview job, the upscale of its
first released sample, and both images downloaded through their presigned URLs, laid out in a grid.

Refuses to write a sheet with a blank cell: samples that are not released (failed_quality, quarantined,
rejected, pending) are skipped and reported, and the next released sample of the job is used instead
(--samples N asks for N samples per preview job, so there is one to fall back on); every downloaded image
must have at least 16 distinct RGB colours and a luminance (0.299 R + 0.587 G + 0.114 B, 0-255) standard
deviation of at least 4, as in moderation's quality check. Otherwise it prints what failed, with its
figures, and exits with status 1 without writing the output file.

Start the platform first (./run-local), then:
    /usr/bin/python3 docs/make_contact_sheet.py                 # key from .genq-local/bootstrap-keys.env
Needs only the standard library and Pillow (Debian python3-pil).
"""
import argparse
import io
import json
import math
import os
import sys
import time
import urllib.request

from PIL import Image, ImageDraw

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
MIN_COLOURS = 16      # distinct RGB colours, as genq.moderation.quality.min-distinct-colours
MIN_CONTRAST = 4.0    # luminance standard deviation (0-255), as genq.moderation.quality.min-contrast
PROMPTS = ["red apple", "grinning face", "cat face", "rocket", "pizza", "sun", "dog face", "heart",
           "green tree", "birthday cake", "ghost", "crescent moon"]


def client_key():
    with open(os.path.join(ROOT, ".genq-local/bootstrap-keys.env")) as f:
        for line in f:
            if line.startswith("GENQ_AUTH_BOOTSTRAP_CLIENT_KEY="):
                return line.split("=", 1)[1].strip()
    raise SystemExit("no client key in .genq-local/bootstrap-keys.env: start ./run-local first")


def call(api, key, method, path, body=None):
    req = urllib.request.Request(api + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                 headers={"Authorization": "Bearer " + key, "Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=90) as r:
        return json.load(r)


def finished(api, key, job_id, timeout=300):
    deadline = time.time() + timeout
    while time.time() < deadline:
        job = call(api, key, "GET", "/v1/jobs/" + job_id)
        if job["status"] in ("succeeded", "failed", "canceled", "rejected", "needs_review"):
            return job
        time.sleep(0.5)
    raise SystemExit(f"job {job_id} did not finish in {timeout} s")


def image(url):
    with urllib.request.urlopen(url, timeout=30) as r:
        return Image.open(io.BytesIO(r.read())).convert("RGB")


def picture_figures(img):
    """(distinct RGB colours, population standard deviation of 0.299 R + 0.587 G + 0.114 B on 0-255)."""
    pixels = list(img.getdata())
    colours = len(set(pixels))
    total = total_sq = 0.0
    for r, g, b in pixels:
        lum = 0.299 * r + 0.587 * g + 0.114 * b
        total += lum
        total_sq += lum * lum
    n = len(pixels)
    mean = total / n
    return colours, math.sqrt(max(0.0, total_sq / n - mean * mean))


def blank_reason(img):
    """None for a picture, else a sentence with its figures."""
    colours, contrast = picture_figures(img)
    if colours < MIN_COLOURS or contrast < MIN_CONTRAST:
        return (f"{img.width}x{img.height}, {colours} distinct colours (minimum {MIN_COLOURS}), "
                f"luminance standard deviation {contrast:.2f} (minimum {MIN_CONTRAST:g})")
    return None


def describe(sample):
    text = f"sample {sample.get('index')} is {sample.get('status')}"
    quality = sample.get("quality")
    if quality and not quality.get("passed", True):
        text += f" (quality: {', '.join(quality.get('reasons') or [])})"
    return text


def first_released(job, prompt, what):
    """The job's first released sample in index order, or None; reports each sample skipped before it."""
    for sample in sorted(job.get("samples") or [], key=lambda s: s.get("index", 0)):
        if sample.get("status") == "released" and sample.get("url"):
            return sample
        print(f"  {prompt!r} {what} job {job['id']}: skipping {describe(sample)}", flush=True)
    return None


def no_sample(job, what):
    error = job.get("error") or {}
    detail = f" ({error.get('code')}: {error.get('message')})" if error else ""
    return f"{what} job {job['id']} ended {job['status']} with no released sample{detail}"


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api", default="http://127.0.0.1:8080")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", default=os.path.join(ROOT, "docs/contact-sheet.png"))
    p.add_argument("--samples", type=int, default=1,
                   help="samples per preview job: the first released one is upscaled (default 1)")
    args = p.parse_args()
    key = client_key()
    rows = []
    failures = []
    for i, prompt in enumerate(PROMPTS):
        preview = call(args.api, key, "POST", "/v1/jobs",
                       {"prompt": prompt, "num_samples": args.samples, "seed": args.seed + i})
        preview = finished(args.api, key, preview["id"])
        chosen = first_released(preview, prompt, "preview")
        if chosen is None:
            failures.append(f"{prompt!r}: " + no_sample(preview, "preview"))
            print(prompt, preview["status"], "no released preview sample", flush=True)
            continue
        low = image(chosen["url"])
        reason = blank_reason(low)
        if reason is not None:
            failures.append(f"{prompt!r}: preview job {preview['id']} sample {chosen['index']} is blank: {reason}")
            print(prompt, preview["status"], f"sample {chosen['index']} blank", flush=True)
            continue  # no upscale of a blank preview
        full = call(args.api, key, "POST", f"/v1/jobs/{preview['id']}/upscale", {"sample": chosen["index"]})
        full = finished(args.api, key, full["id"])
        high = None
        upscaled = first_released(full, prompt, "upscale")
        if upscaled is None:
            failures.append(f"{prompt!r}: " + no_sample(full, "upscale"))
        else:
            high = image(upscaled["url"])
            reason = blank_reason(high)
            if reason is not None:
                failures.append(f"{prompt!r}: upscale job {full['id']} sample {upscaled['index']} is blank: {reason}")
        rows.append((prompt, low, high, f"{preview['model_version']} + {full.get('model_version', '')}"))
        print(prompt, preview["status"], f"sample {chosen['index']}", full["status"], flush=True)
    if failures:
        print(f"not writing {args.out}: {len(failures)} problem(s), the sheet would have blank cells:", file=sys.stderr)
        for failure in failures:
            print("  " + failure, file=sys.stderr)
        sys.exit(1)
    cell, label_h, cols = 128, 18, 4
    sheet = Image.new("RGB", (cols * (2 * cell + 12), ((len(rows) + cols - 1) // cols) * (cell + label_h + 8)), "white")
    draw = ImageDraw.Draw(sheet)
    for i, (prompt, low, high, _) in enumerate(rows):
        x = (i % cols) * (2 * cell + 12)
        y = (i // cols) * (cell + label_h + 8)
        draw.text((x + 2, y + 2), prompt, fill="black")
        if low is not None:
            sheet.paste(low.resize((cell, cell), Image.NEAREST), (x, y + label_h))
        if high is not None:
            sheet.paste(high.resize((cell, cell), Image.LANCZOS), (x + cell + 4, y + label_h))
    sheet.save(args.out)
    print("wrote", args.out, "models:", rows[0][3] if rows else "")


if __name__ == "__main__":
    main()
