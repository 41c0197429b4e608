#!/usr/bin/env python3
"""Makes docs/image-inputs.png through genq's own API: one row per operation on an uploaded image.

- image-to-image: a sketch drawn here (128x128, so the resize rule is exercised) is uploaded, scanned by
  moderation, then used as init_image for a prompt at strengths 0.5 and 0.75;
- inpainting: a released sample of a text-to-image job is downloaded and uploaded again, with a mask (white:
  redrawn, black: kept); the results must keep every black pixel of the source exactly, or the script fails;
- outpainting (zoom out): the centre 16x16 of a released sample is uploaded with 8 px margins on every side,
  a 32x32 canvas: the model draws the margins around the crop, whose pixels must come back exactly.

Each row: the source, the mask where there is one, then the results. A result moderation held back is left
out (and reported), never drawn; like make_contact_sheet.py it refuses to write a sheet with a blank result.

Start the platform first (./run-local), then:
    /usr/bin/python3 docs/make_image_inputs_sheet.py
Needs only the standard library and Pillow (Debian python3-pil).
"""
import argparse
import io
import json
import os
import sys
import time
import urllib.request

from PIL import Image, ImageDraw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_contact_sheet import ROOT, call, client_key, finished, first_released, image, no_sample  # noqa: E402
from make_variation_sheet import draw  # noqa: E402


def png(img):
    out = io.BytesIO()
    img.save(out, "PNG")
    return out.getvalue()


def upload(api, key, data, content_type="image/png", timeout=60):
    """POST /v1/uploads, then GET it until moderation has scanned it; returns its view."""
    req = urllib.request.Request(api + "/v1/uploads", method="POST", data=data,
                                 headers={"Authorization": "Bearer " + key, "Content-Type": content_type})
    with urllib.request.urlopen(req, timeout=60) as r:
        view = json.load(r)
    deadline = time.time() + timeout
    while view["status"] == "scanning" and time.time() < deadline:
        time.sleep(0.2)
        view = call(api, key, "GET", "/v1/uploads/" + view["id"])
    return view


def sketch():
    """A child's drawing of a face: what image-to-image turns into the model's style."""
    img = Image.new("RGB", (128, 128), "white")
    pen = ImageDraw.Draw(img)
    pen.ellipse([14, 14, 114, 114], fill=(250, 200, 40), outline="black", width=4)
    pen.ellipse([40, 44, 54, 62], fill="black")
    pen.ellipse([74, 44, 88, 62], fill="black")
    pen.arc([38, 52, 90, 96], 20, 160, fill="black", width=5)
    return img


def released(job):
    return [s for s in job.get("samples", []) if s.get("status") == "released"]


def image_to_image(api, key, seed, failures):
    src = sketch()
    up = upload(api, key, png(src))
    print("sketch upload", up["id"], up["status"], flush=True)
    if up["status"] != "accepted":
        failures.append(f"the sketch upload is {up['status']}: {up.get('reasons')}")
        return []
    rows = []
    for prompt in ("cat face", "birthday cake"):
        cells = [("sketch 128px", src)]
        for strength in (0.5, 0.75):
            job = finished(api, key, call(api, key, "POST", "/v1/jobs", {"prompt": prompt, "num_samples": 2, "seed": seed,
                                                                       "init_image": up["id"], "strength": strength})["id"])
            got = released(job)
            if not got:
                print(f"  {prompt!r} {strength}: " + no_sample(job, "image-to-image"), flush=True)
            for s in got[:2]:
                cells.append((f"strength {strength}", image(s["url"])))
            print(prompt, strength, job["status"], f"{len(got)} released, {job['cost']['compute_seconds']:.2f} compute s",
                  flush=True)
        if len(cells) == 1:
            failures.append(f"image-to-image {prompt!r}: nothing released")
        rows.append((f"image-to-image: {prompt!r}", cells))
    return rows


def picture_of(api, key, prompt, seed, failures):
    """The first released sample of a 4-sample preview of the prompt, as a client downloads it; None if none was."""
    text = finished(api, key, call(api, key, "POST", "/v1/jobs", {"prompt": prompt, "num_samples": 4, "seed": seed})["id"])
    chosen = first_released(text, prompt, "preview")
    if chosen is None:
        failures.append(f"{prompt!r}: " + no_sample(text, "preview"))
        return None
    return image(chosen["url"])


def inpainting(api, key, seed, failures):
    rows = []
    for prompt, redraw, mask_box in (("red apple", "green apple", (8, 4, 24, 28)), ("cat face", "pig face", (6, 16, 26, 30))):
        src = picture_of(api, key, prompt, seed, failures)
        if src is None:
            continue
        mask = Image.new("RGB", src.size, "black")
        ImageDraw.Draw(mask).rectangle(mask_box, fill="white")
        up, up_mask = upload(api, key, png(src)), upload(api, key, png(mask))
        if up["status"] != "accepted" or up_mask["status"] != "accepted":
            failures.append(f"{prompt!r}: uploads {up['status']} / {up_mask['status']}")
            continue
        cells = [("source", src), ("mask", mask)]
        job = finished(api, key, call(api, key, "POST", "/v1/jobs", {"prompt": redraw, "num_samples": 3, "seed": seed + 1,
                                                                   "init_image": up["id"], "mask_image": up_mask["id"],
                                                                   "strength": 1.0})["id"])
        got = released(job)
        if not got:
            print(f"  {redraw!r}: " + no_sample(job, "inpainting"), flush=True)
        for s in got[:3]:
            out = image(s["url"])
            kept = all(src.getpixel((x, y)) == out.getpixel((x, y)) for y in range(src.height) for x in range(src.width)
                       if mask.getpixel((x, y)) == (0, 0, 0))
            if not kept:
                failures.append(f"inpainting {redraw!r}: a black (kept) pixel of the source changed")
            cells.append((redraw, out))
        print("inpaint", redraw, job["status"], f"{len(got)} released", flush=True)
        if len(cells) == 2:
            failures.append(f"inpainting {redraw!r}: nothing released")
        rows.append((f"inpainting: {prompt!r} -> {redraw!r}", cells))
    return rows


def outpainting(api, key, seed, failures):
    rows = []
    for prompt in ("rocket", "cat face"):
        src = picture_of(api, key, prompt, seed, failures)
        if src is None:
            continue
        crop = src.crop((8, 8, 24, 24))
        up = upload(api, key, png(crop))
        if up["status"] != "accepted":
            failures.append(f"{prompt!r}: upload {up['status']}")
            continue
        cells = [("crop 16px", crop.resize((32, 32), Image.NEAREST))]
        job = finished(api, key, call(api, key, "POST", "/v1/jobs", {
            "prompt": prompt, "num_samples": 4, "seed": seed + 2, "init_image": up["id"],
            "outpaint": {"left": 8, "top": 8, "right": 8, "bottom": 8}})["id"])
        got = released(job)
        if not got:
            print(f"  outpaint {prompt!r}: " + no_sample(job, "outpainting"), flush=True)
        for s in got[:4]:
            out = image(s["url"])
            if any(out.getpixel((x + 8, y + 8)) != crop.getpixel((x, y)) for y in range(16) for x in range(16)):
                failures.append(f"outpainting {prompt!r}: a pixel of the crop changed")
            cells.append(("zoom out", out))
        print("outpaint", prompt, job["status"], f"{len(got)} released", flush=True)
        if len(cells) == 1:
            failures.append(f"outpainting {prompt!r}: nothing released")
        rows.append((f"outpainting: the centre of {prompt!r}, 8 px margins", cells))
    return rows


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api", default="http://127.0.0.1:8080")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    key = client_key()
    failures = []
    rows = (image_to_image(args.api, key, args.seed, failures) + inpainting(args.api, key, args.seed, failures)
            + outpainting(args.api, key, args.seed, failures))
    draw(rows, os.path.join(ROOT, "docs/image-inputs.png"), failures)


if __name__ == "__main__":
    main()
