#!/usr/bin/env python3
"""Builds genq's training data from openly licensed emoji art, fetched through the registries.

Sources (licences and attribution in models/data/LICENSES.md):
  npm  emoji-datasource-google   Noto Emoji art, 64 px PNGs (Apache-2.0), emoji metadata (MIT)
  npm  emoji-datasource-twitter  Twemoji art, 64 px PNGs (CC-BY-4.0)
  npm  emojibase-data            English labels and tags (MIT)
  apt  fonts-noto-color-emoji    Noto Color Emoji font (OFL-1.1), rendered at 128 px
  npm  emoji-datasource-google@3.0.0   the 2017 Noto art ("blobs", Apache-2.0): other drawings of the same emoji
  npm  fluentui-emoji            Microsoft Fluent Emoji, flat / color / high-contrast SVGs (MIT)
  npm  @lobehub/fluent-emoji-3d  Microsoft Fluent Emoji, 3D renders (MIT)
  npm  emojione@2.2.7            EmojiOne 2 art, colour and black-and-white 64 px PNGs (CC-BY-4.0; the last
                                 EmojiOne release under an open licence)

What it writes to models/data/out/ (not committed; re-run to rebuild, ~1 minute):
  images32.npy    uint8 [N, 32, 32, 3]   both art styles, composited on white, area-downsampled from 64 px
  images128.npy   uint8 [M, 128, 128, 3] Noto font renders on white
  rows32.json / rows128.json             per image: emoji, label, tags, category, subcategory, style, split, weight
  extra32.npy / extra_rows32.json        more art styles at 32 px (noto-2017, fluent-flat, fluent-color,
                                         fluent-hc, fluent-3d, emojione, emojione-bw), same rows; only
                                         emoji-safety trains on them (the base model and the evaluation
                                         judge keep the two styles above)
  vocab.txt                              words of the training captions (id = line; 0 <pad>, 1 <unk>)

Choices: skin-tone variants are dropped (they are nested under their base emoji and would be half the
data); flags are kept at weight 0.25 (270 near-identical rectangles); 5% of emoji, chosen by a hash of
their code point, are held out entirely (never seen in training, in any style or size).

    /usr/bin/python3 models/data/build_dataset.py
    # needs: npm, apt-get install fonts-noto-color-emoji python3-pil python3-cairosvg
"""
import hashlib
import io
import json
import os
import re
import subprocess
import sys
import tarfile

import cairosvg
import numpy as np
from PIL import Image, ImageFont, ImageDraw

HERE = os.path.dirname(os.path.abspath(__file__))
CACHE = os.path.join(HERE, "cache")
OUT = os.path.join(HERE, "out")
PACKAGES = {"emoji-datasource-google": "16.0.0", "emoji-datasource-twitter": "16.0.0", "emojibase-data": "17.0.0"}
# more drawings of the same emoji, for the safety classifier: (package, version) -> styles it provides
EXTRA_PACKAGES = {("emoji-datasource-google", "3.0.0"): ["noto-2017"],
                  ("fluentui-emoji", "1.3.0"): ["fluent-flat", "fluent-color", "fluent-hc"],
                  ("@lobehub/fluent-emoji-3d", "1.1.0"): ["fluent-3d"],
                  ("emojione", "2.2.7"): ["emojione", "emojione-bw"]}
EMOJIONE_FOLDERS = {"emojione": "png", "emojione-bw": "png_bw"}
FLUENT_FOLDERS = {"fluent-flat": "flat", "fluent-color": "modern", "fluent-hc": "high-contrast"}
FONT = "/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf"
HELD_OUT_PERCENT = 5
FLAG_WEIGHT = 0.25


def packed(name, version):
    """npm pack names scoped packages @scope/name -> scope-name-version.tgz."""
    return f"{name.lstrip('@').replace('/', '-')}-{version}"


def fetch():
    os.makedirs(CACHE, exist_ok=True)
    for name, version in list(PACKAGES.items()) + list(EXTRA_PACKAGES):
        tgz = os.path.join(CACHE, packed(name, version) + ".tgz")
        if not os.path.exists(tgz):
            subprocess.run(["npm", "pack", f"{name}@{version}", "--pack-destination", CACHE], check=True,
                           stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        folder = os.path.join(CACHE, packed(name, version))
        if not os.path.isdir(folder):
            with tarfile.open(tgz) as t:
                t.extractall(folder)
    if not os.path.exists(FONT):
        sys.exit("missing " + FONT + ": apt-get install fonts-noto-color-emoji")


def member(name, path, version=None):
    return open(member_path(name, path, version), "rb").read()


def member_path(name, path, version=None):
    return os.path.join(CACHE, packed(name, version or PACKAGES[name]), "package", path)


def norm(code):
    """Code points without variation selectors, upper-case, dash-separated: joins the two metadata sets."""
    return "-".join(p for p in code.upper().split("-") if p != "FE0F")


def words(text):
    """The tokenizer of models/README.md: lower-case, split on anything that is not a letter or digit."""
    return [w for w in re.split(r"[^\w]|_", text.lower()) if w]


def held_out(code):
    return int(hashlib.sha256(code.encode()).hexdigest(), 16) % 100 < HELD_OUT_PERCENT


def on_white(img):
    img = img.convert("RGBA")
    white = Image.new("RGBA", img.size, (255, 255, 255, 255))
    return Image.alpha_composite(white, img).convert("RGB")


def render_font(char, font):
    """Noto Color Emoji is a bitmap (CBDT) font: it renders at size 109 into a 136x128 box."""
    canvas = Image.new("RGBA", (160, 160), (255, 255, 255, 0))
    ImageDraw.Draw(canvas).text((80, 80), char, font=font, embedded_color=True, anchor="mm")
    box = canvas.getbbox()
    if box is None:
        return None
    glyph = canvas.crop(box)
    scale = 120 / max(glyph.size)
    glyph = glyph.resize((max(1, round(glyph.size[0] * scale)), max(1, round(glyph.size[1] * scale))), Image.LANCZOS)
    out = Image.new("RGBA", (128, 128), (255, 255, 255, 0))
    out.paste(glyph, ((128 - glyph.size[0]) // 2, (128 - glyph.size[1]) // 2), glyph)
    return on_white(out)


def slug(label):
    """Fluent Emoji's file names: the CLDR name, lower-case, runs of other characters as one dash."""
    return re.sub(r"[^a-z0-9]+", "-", label.lower()).strip("-")


def extra_art(code, unified, label, old_noto, fluent_names):
    """(style, 32 px image) for every extra drawing of one emoji that the extra packages have."""
    out = []
    e = old_noto.get(code)
    if e and e.get("has_img_google"):
        img = Image.open(member_path("emoji-datasource-google", f"img/google/64/{e['image']}", "3.0.0"))
        out.append(("noto-2017", img))
    for style, folder in FLUENT_FOLDERS.items():
        for name in (slug(label), slug(label) + "-default"):  # people come as -default plus skin tones
            if name in fluent_names[folder]:
                png = cairosvg.svg2png(url=member_path("fluentui-emoji", f"icons/{folder}/{name}.svg", "1.3.0"),
                                       output_width=64, output_height=64)
                out.append((style, Image.open(io.BytesIO(png))))
                break
    for name in dict.fromkeys((code.lower(), unified.lower())):  # some names keep the variation selector
        three_d = member_path("@lobehub/fluent-emoji-3d", f"assets/{name}.webp", "1.1.0")
        if os.path.exists(three_d):
            out.append(("fluent-3d", Image.open(three_d)))
            break
    # EmojiOne names files by code point, lower-case, without variation selectors or zero-width joiners
    name = "-".join(p for p in code.lower().split("-") if p != "200d")
    for style, folder in EMOJIONE_FOLDERS.items():
        path = member_path("emojione", f"assets/{folder}/{name}.png", "2.2.7")
        if os.path.exists(path):
            out.append((style, Image.open(path)))
    return [(style, on_white(img).resize((32, 32), Image.BOX)) for style, img in out]


def main():
    fetch()
    old_noto = {norm(e["unified"]): e for e in json.loads(member("emoji-datasource-google", "emoji.json", "3.0.0"))}
    fluent_names = {folder: {f[:-4] for f in os.listdir(member_path("fluentui-emoji", f"icons/{folder}", "1.3.0"))}
                    for folder in FLUENT_FOLDERS.values()}
    emoji = json.loads(member("emoji-datasource-google", "emoji.json"))
    base = {norm(e["hexcode"]): e for e in json.loads(member("emojibase-data", "en/data.json"))}
    font = ImageFont.truetype(FONT, 109)
    rows32, imgs32, rows128, imgs128, rows_extra, imgs_extra = [], [], [], [], [], []
    vocab = set()
    for e in sorted(emoji, key=lambda e: e["sort_order"]):
        code = norm(e["unified"])
        meta = base.get(code)
        label = meta["label"] if meta else e["name"].lower()
        tags = meta.get("tags", []) if meta else []
        split = "heldout" if held_out(code) else "train"
        row = {"emoji": code, "label": label, "tags": tags, "category": e["category"],
               "subcategory": e["subcategory"], "split": split,
               "weight": FLAG_WEIGHT if e["category"] == "Flags" else 1.0}
        if split == "train":
            for w in words(label) + [w for t in tags for w in words(t)]:
                vocab.add(w)
        for style, pkg in (("noto", "emoji-datasource-google"), ("twemoji", "emoji-datasource-twitter")):
            flag = "has_img_google" if style == "noto" else "has_img_twitter"
            if not e.get(flag):
                continue
            folder = "google" if style == "noto" else "twitter"
            png = member(pkg, f"img/{folder}/64/{e['image']}")
            img = on_white(Image.open(io.BytesIO(png))).resize((32, 32), Image.BOX)
            imgs32.append(np.asarray(img, dtype=np.uint8))
            rows32.append(dict(row, style=style))
        for style, img in extra_art(code, e["unified"], label, old_noto, fluent_names):
            imgs_extra.append(np.asarray(img, dtype=np.uint8))
            rows_extra.append(dict(row, style=style))
        char = "".join(chr(int(c, 16)) for c in e["unified"].split("-"))
        big = render_font(char, font)
        if big is not None:
            imgs128.append(np.asarray(big, dtype=np.uint8))
            rows128.append(dict(row, style="noto-font"))
    os.makedirs(OUT, exist_ok=True)
    np.save(os.path.join(OUT, "images32.npy"), np.stack(imgs32))
    np.save(os.path.join(OUT, "images128.npy"), np.stack(imgs128))
    np.save(os.path.join(OUT, "extra32.npy"), np.stack(imgs_extra))
    for name, rows in (("rows32.json", rows32), ("rows128.json", rows128), ("extra_rows32.json", rows_extra)):
        with open(os.path.join(OUT, name), "w") as f:
            json.dump(rows, f)
    with open(os.path.join(OUT, "vocab.txt"), "w") as f:
        f.write("\n".join(["<pad>", "<unk>"] + sorted(vocab)) + "\n")
    subcats = sorted({r["subcategory"] for r in rows32})
    held = sum(1 for r in rows32 if r["split"] == "heldout")
    print(f"32 px: {len(rows32)} images ({held} held out), 128 px: {len(rows128)} images, "
          f"{len(vocab) + 2} words, {len(subcats)} subcategories")
    per_style = {}
    for r in rows_extra:
        per_style[r["style"]] = per_style.get(r["style"], 0) + 1
    print(f"extra 32 px styles: {per_style}")


if __name__ == "__main__":
    main()
