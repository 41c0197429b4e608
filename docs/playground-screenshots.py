#!/usr/bin/env python3
"""Screenshots of the playground for the README, taken in headless Chromium against a running platform.

Usage: ./run-local (in another terminal), then
  python3 docs/playground-screenshots.py http://127.0.0.1:8080 "$(grep CLIENT_KEY .genq-local/bootstrap-keys.env | cut -d= -f2)" docs

Standard library only: it drives Debian's chromedriver over the W3C WebDriver protocol. Writes
playground-previews.png (four previews of "a grinning cat", seed 42) and playground-upscaled.png (sample 1 upscaled).
"""
import base64
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request

ELEMENT = "element-6066-11e4-a52e-4f735466cecf"


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Browser:
    def __init__(self):
        port = free_port()
        self.driver = subprocess.Popen(["/usr/bin/chromedriver", "--port=%d" % port],
                                       stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        self.base = "http://127.0.0.1:%d" % port
        self.until(self.ready, 30, "chromedriver")
        args = ["--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1280,1000", "--no-first-run",
                "--disable-background-networking", "--user-data-dir=" + tempfile.mkdtemp(prefix="genq-shot")]
        caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {"binary": "/usr/bin/chromium", "args": args}}}}
        self.session = "/session/" + self.call("POST", "/session", caps)["value"]["sessionId"]

    def ready(self):
        try:
            return self.call("GET", "/status")["value"]["ready"]
        except OSError:
            return False

    def call(self, method, path, body=None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.base + path, data=data, method=method,
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=60) as r:
                return json.load(r)
        except urllib.error.HTTPError as e:
            raise SystemExit("%s %s: %s" % (method, path, e.read().decode()[:500]))

    def s(self, method, path, body=None):
        return self.call(method, self.session + path, body)["value"]

    def find(self, css):
        return self.s("POST", "/element", {"using": "css selector", "value": css})[ELEMENT]

    def type(self, css, text, clear=False):
        el = self.find(css)
        if clear:
            self.s("POST", "/element/%s/clear" % el, {})
        self.s("POST", "/element/%s/value" % el, {"text": text})

    def click(self, css):
        self.s("POST", "/element/%s/click" % self.find(css), {})

    def js(self, script):
        return self.s("POST", "/execute/sync", {"script": script, "args": []})

    def until(self, check, seconds, what):
        deadline = time.monotonic() + seconds
        while time.monotonic() < deadline:
            try:
                if check():
                    return
            except (KeyError, TypeError):
                pass
            time.sleep(0.25)
        raise SystemExit("timed out waiting for " + what)

    def screenshot(self, path):
        with open(path, "wb") as f:
            f.write(base64.b64decode(self.s("GET", "/screenshot")))
        print("wrote", path)

    def quit(self):
        self.call("DELETE", self.session)
        self.driver.terminate()


def loaded(b, count):
    return b.js("const i = [...document.querySelectorAll('#tiles img.final')];"
                "return i.length === %d && i.every(x => x.complete && x.naturalWidth > 0);" % count)


def main(gateway, key, out):
    b = Browser()
    try:
        b.s("POST", "/url", {"url": gateway + "/"})
        b.type("#key", key + "\ue007")  # Enter
        b.until(lambda: b.js("return document.getElementById('steps').value !== ''"), 30, "the models API")
        b.type("#prompt", "a grinning cat")
        b.type("#seed", "42", clear=True)
        b.click("#submit")
        b.until(lambda: loaded(b, 4) and b.js("return document.getElementById('job-cost').textContent !== ''"),
                180, "the previews")
        b.screenshot(os.path.join(out, "playground-previews.png"))
        b.click("#tiles li[data-sample='1'] button.upscale")
        b.until(lambda: b.js("return document.getElementById('job-lineage').textContent !== ''") and loaded(b, 1)
                and b.js("return document.getElementById('job-cost').textContent !== ''"), 300, "the upscale")
        b.screenshot(os.path.join(out, "playground-upscaled.png"))
    finally:
        b.quit()


if __name__ == "__main__":
    if len(sys.argv) != 4:
        raise SystemExit(__doc__)
    main(*sys.argv[1:])
