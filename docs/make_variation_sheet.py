#!/usr/bin/env python3
"""Makes docs/variations.png and docs/live-previews.png through genq's own API.

variations.png: for each prompt a 4-sample preview; its first released sample (left), a region variation
(the mask, white where redrawn, and the result: every pixel outside the region must equal the source's, or
the script fails), then two subtle (strength 0.4) and two strong (0.75) variations of the whole sample, each a
POST /v1/jobs/{id}/variations. A variation moderation held back is left out (and reported), never drawn.
live-previews.png: one 4-sample preview job with "preview_every": 2 followed over its event stream: each
row a sample, its released live previews after steps 2, 4 and 6 of 8, then the final sample (right).

Like make_contact_sheet.py it refuses to write a sheet with a blank cell (fewer than 16 colours or no
contrast) and exits with status 1 instead.

Start the platform first (./run-local), then:
    /usr/bin/python3 docs/make_variation_sheet.py
Needs only the standard library and Pillow (Debian python3-pil).
"""
import argparse
import base64
import io
import json
import os
import sys
import urllib.request

from PIL import Image, ImageDraw

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from make_contact_sheet import ROOT, blank_reason, call, client_key, finished, first_released, image, no_sample  # noqa: E402

PROMPTS = ["cat face", "red apple", "rocket", "birthday cake"]


def variations(api, key, seed, failures):
    rows = []
    for i, prompt in enumerate(PROMPTS):
        preview = finished(api, key, call(api, key, "POST", "/v1/jobs",
                                          {"prompt": prompt, "num_samples": 4, "seed": seed + i})["id"])
        chosen = first_released(preview, prompt, "preview")
        if chosen is None:
            failures.append(f"{prompt!r}: " + no_sample(preview, "preview"))
            continue
        src = image(chosen["url"])
        cells = [("source", src)]
        # vary region: the middle third of the picture redrawn, the rest kept exactly
        w, h = src.width // 2, src.height // 3
        region = {"x": src.width // 4, "y": src.height // 3, "width": w, "height": h}
        job = finished(api, key, call(api, key, "POST", f"/v1/jobs/{preview['id']}/variations",
                                      {"sample": chosen["index"], "preset": "strong", "num_samples": 1, "seed": 2000 + i,
                                       "region": region})["id"])
        released = [s for s in job.get("samples", []) if s.get("status") == "released"]
        if released:
            mask = Image.new("RGB", src.size, "black")
            ImageDraw.Draw(mask).rectangle([region["x"], region["y"], region["x"] + w - 1, region["y"] + h - 1], fill="white")
            kept = image(released[0]["url"])
            outside_same = all(src.getpixel((x, y)) == kept.getpixel((x, y)) for y in range(src.height) for x in range(src.width)
                               if not (region["x"] <= x < region["x"] + w and region["y"] <= y < region["y"] + h))
            if not outside_same:
                failures.append(f"{prompt!r}: the region variation changed pixels outside its region")
            cells += [("mask", mask), ("region 0.75", kept)]
        else:
            print(f"  {prompt!r} region: " + no_sample(job, "variation"), flush=True)
        print(prompt, "region", job["status"], flush=True)
        for preset in ("subtle", "strong"):
            job = call(api, key, "POST", f"/v1/jobs/{preview['id']}/variations",
                       {"sample": chosen["index"], "preset": preset, "num_samples": 2, "seed": 1000 + i})
            job = finished(api, key, job["id"])
            released = [s for s in job.get("samples", []) if s.get("status") == "released"]
            if not released:  # moderation held them back: shown as missing, not as a blank
                print(f"  {prompt!r} {preset}: " + no_sample(job, "variation"), flush=True)
            for s in released[:2]:
                cells.append((f"{preset} {job['params']['strength']}", image(s["url"])))
            print(prompt, preset, job["status"], f"{len(released)} released", flush=True)
        if len(cells) == 1:
            failures.append(f"{prompt!r}: no variation was released")
        rows.append((prompt, cells))
    return rows


def live_previews(api, key, seed, failures):
    job = call(api, key, "POST", "/v1/jobs", {"prompt": "cat face", "num_samples": 4, "seed": seed, "preview_every": 2})
    req = urllib.request.Request(f"{api}/v1/jobs/{job['id']}/events",
                                 headers={"Authorization": "Bearer " + key, "Accept": "text/event-stream"})
    shots, withheld, name = {}, 0, None
    with urllib.request.urlopen(req, timeout=120) as stream:
        for raw in stream:
            line = raw.decode().rstrip("\n")
            if line.startswith("event:"):
                name = line[6:].strip()
            elif line.startswith("data:"):
                data = json.loads(line[5:])
                if name == "preview" and data["status"] == "released":
                    png = base64.b64decode(data["image"].split(",", 1)[1])
                    shots[(data["sample"], data["step"])] = Image.open(io.BytesIO(png)).convert("RGB")
                elif name == "preview":
                    withheld += 1
                name = None
    job = call(api, key, "GET", "/v1/jobs/" + job["id"])
    print("live previews:", len(shots), "released,", withheld, "withheld; job", job["status"], flush=True)
    rows = []
    for s in job.get("samples", []):
        cells = [(f"step {step}", shots[(s["index"], step)]) for step in (2, 4, 6) if (s["index"], step) in shots]
        if s.get("status") == "released":
            cells.append(("final", image(s["url"])))
        if len(cells) < 2:
            continue  # a withheld or unreleased sample: nothing to show
        rows.append((f"sample {s['index']}", cells))
    if not rows:
        failures.append("no sample had released live previews and a released final")
    return rows


def draw(rows, out, failures):
    for label, cells in rows:
        for what, img in cells:
            if what == "mask" or what.startswith("sketch"):
                continue  # a few flat colours by design
            reason = blank_reason(img)
            if reason is not None:
                failures.append(f"{label} {what}: blank: {reason}")
    if failures:
        print(f"not writing {out}: " + "; ".join(failures), file=sys.stderr)
        sys.exit(1)
    cell, label_h, gap = 128, 16, 6
    cols = max(len(c) for _, c in rows)
    sheet = Image.new("RGB", (cols * (cell + gap), len(rows) * (cell + 2 * label_h + gap)), "white")
    pen = ImageDraw.Draw(sheet)
    for r, (label, cells) in enumerate(rows):
        y = r * (cell + 2 * label_h + gap)
        pen.text((2, y + 2), label, fill="black")
        for c, (what, img) in enumerate(cells):
            x = c * (cell + gap)
            sheet.paste(img.resize((cell, cell), Image.NEAREST), (x, y + label_h))
            pen.text((x + 2, y + label_h + cell + 2), what, fill="black")
    sheet.save(out)
    print("wrote", out)


def main():
    p = argparse.ArgumentParser()
    p.add_argument("--api", default="http://127.0.0.1:8080")
    p.add_argument("--seed", type=int, default=7)
    args = p.parse_args()
    key = client_key()
    failures = []
    draw(variations(args.api, key, args.seed, failures), os.path.join(ROOT, "docs/variations.png"), failures)
    draw(live_previews(args.api, key, args.seed, failures), os.path.join(ROOT, "docs/live-previews.png"), failures)


if __name__ == "__main__":
    main()
