#!/usr/bin/env python3
"""Writes the sha256 list into a model package's model.json and prints the pin for its location.

    /usr/bin/python3 models/package_sha256.py models/emoji-base

Every file of the folder except model.json is listed (a worker refuses files of an S3 package that are not
listed, and listed files that are missing). Run it again after changing any file. The printed
`#sha256=...` pins model.json itself: append it to the s3:// location in genq.worker.model-paths.
"""
import hashlib
import json
import os
import sys


def sha256(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def main(folder):
    manifest_path = os.path.join(folder, "model.json")
    with open(manifest_path, encoding="utf-8") as f:
        manifest = json.load(f)
    files = sorted(name for name in os.listdir(folder)
                   if name != "model.json" and os.path.isfile(os.path.join(folder, name)))
    manifest["sha256"] = {name: sha256(os.path.join(folder, name)) for name in files}
    with open(manifest_path, "w", encoding="utf-8") as f:
        json.dump(manifest, f, indent=2, ensure_ascii=False)
        f.write("\n")
    print(f"{manifest_path}: {len(files)} files listed")
    print(f"pin: #sha256={sha256(manifest_path)}")


if __name__ == "__main__":
    if len(sys.argv) != 2:
        raise SystemExit(__doc__)
    main(sys.argv[1])
