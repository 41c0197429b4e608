#!/usr/bin/env python3
"""Makes docs/contact-sheet.png through genq's own API: for each prompt a preview job, the upscale of its
first sample, and both images downloaded through their presigned URLs, laid out in a grid.

Start the platform first (./run-local), then:
    /usr/bin/python3 docs/make_contact_sheet.py                 # key from .genq-local/bootstrap-keys.env
Needs only the standard library and Pillow (Debian python3-pil).
"""
import argparse
import io
import json
import os
import time
import urllib.request

from PIL import Image, ImageDraw

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
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


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api", default="http://127.0.0.1:8080")
    p.add_argument("--seed", type=int, default=7)
    p.add_argument("--out", default=os.path.join(ROOT, "docs/contact-sheet.png"))
    args = p.parse_args()
    key = client_key()
    rows = []
    for i, prompt in enumerate(PROMPTS):
        preview = call(args.api, key, "POST", "/v1/jobs", {"prompt": prompt, "num_samples": 1, "seed": args.seed + i})
        preview = finished(args.api, key, preview["id"])
        if preview["status"] != "succeeded":
            rows.append((prompt, None, None, preview["status"]))
            continue
        full = call(args.api, key, "POST", f"/v1/jobs/{preview['id']}/upscale", {"sample": 0})
        full = finished(args.api, key, full["id"])
        rows.append((prompt, image(preview["samples"][0]["url"]),
                     image(full["samples"][0]["url"]) if full["status"] == "succeeded" else None,
                     f"{preview['model_version']} + {full.get('model_version', '')}"))
        print(prompt, preview["status"], full["status"], flush=True)
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
