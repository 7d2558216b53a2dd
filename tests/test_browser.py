"""The HTML pages in a real browser: headless Chromium loads a student page (bob.py as
graded, student view, with the MNIST check's training curve and confusion matrix as
recorded) and a class summary, and the test asserts that every image decoded, that
the page ran no script and fetched nothing, that it logged no error (a CSP violation
would be one) and that it fits a phone's width without scrolling sideways. It keeps a
screenshot of each: in the test's temporary folder, or, with GRADER_SCREENSHOTS=docs, in
docs/ (report-page.png, summary-page.png: how the README's pictures are renewed).

The pages have no script; the test drives the browser over the Chrome DevTools protocol
on a pipe (``--remote-debugging-pipe``: JSON messages ended by NUL on file descriptors 3
and 4, Python's standard library only) and evaluates its checks there.

Chromium is required: Debian's ``chromium`` package (``.ci/run`` installs it when missing).
Without it this test fails, it does not skip.
"""
import base64
import json
import os
import select
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest

from conftest import SUBMISSIONS
from grader.grade import grade
from grader.report import render_html, render_summary_html
from test_html_report import sample_summary

CANDIDATES = ("chromium", "chromium-browser", "/usr/lib/chromium/chromium", "google-chrome")
SHOTS = os.environ.get("GRADER_SCREENSHOTS")       # a folder to keep the screenshots in
PHONE = {"width": 390, "height": 844, "deviceScaleFactor": 1, "mobile": True}
DESKTOP = {"width": 960, "height": 900, "deviceScaleFactor": 1, "mobile": False}
MAX_SHOT_HEIGHT = 4000          # pixels of a screenshot kept
TIMEOUT = 60                    # seconds for any one answer of the browser

LAUNCHER = ("import fcntl, os, sys\n"
            "ends = [fcntl.fcntl(int(fd), fcntl.F_DUPFD, 10) for fd in sys.argv[1:3]]\n"
            "for target, fd in zip((3, 4), ends):\n"
            "    os.dup2(fd, target)\n"
            "os.execv(sys.argv[3], sys.argv[3:])\n")
CHECKS = """(async () => {
  const images = [...document.images];
  const decoded = await Promise.all(images.map(i => i.decode().then(() => true, () => false)));
  return {
    images: images.map((i, k) => ({complete: i.complete, width: i.naturalWidth, height: i.naturalHeight,
                                   decoded: decoded[k], scheme: i.currentSrc.split(":")[0]})),
    scripts: document.scripts.length,
    scrollWidth: document.documentElement.scrollWidth,
    innerWidth: window.innerWidth,
    title: document.title,
  };
})()"""


def chromium_binary():
    for name in CANDIDATES:
        path = shutil.which(name) or (name if os.path.isabs(name) and os.access(name, os.X_OK) else None)
        if path:
            return path
    pytest.fail("headless Chromium is needed and was not found (chromium, chromium-browser, "
                "/usr/lib/chromium/chromium): install Debian's chromium (apt-get install chromium; "
                ".ci/run does it when missing)", pytrace=False)


class Browser:
    """Headless Chromium driven over the DevTools protocol on a pipe."""

    def __init__(self, binary, profile):
        to_browser, self._to_browser = os.pipe()
        self._from_browser, from_browser = os.pipe()
        flags = ["--headless=new", "--remote-debugging-pipe", f"--user-data-dir={profile}",
                 "--disable-gpu", "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                 "--disable-background-networking", "--disable-sync", "--disable-dev-shm-usage",
                 "--hide-scrollbars", "--mute-audio"]
        if os.geteuid() == 0:
            flags.append("--no-sandbox")    # Chromium refuses to run as root with its sandbox
        self._log = open(Path(profile) / "stderr.log", "wb")
        # the protocol's pipe is file descriptors 3 (to the browser) and 4 (from it): a
        # small launcher puts the pipe's ends there (first out of the way, so that neither
        # end already being 3 or 4 matters), then becomes the browser
        self.process = subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, str(to_browser), str(from_browser), binary, *flags, "about:blank"],
            pass_fds=(to_browser, from_browser), stdin=subprocess.DEVNULL, stdout=self._log, stderr=self._log)
        os.close(to_browser)
        os.close(from_browser)
        self._buffer = b""
        self._next = 0
        self.events = []

    def call(self, method, params=None, session=None):
        self._next += 1
        message = {"id": self._next, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        answer = self._wait(lambda m: m.get("id") == self._next)
        if "error" in answer:
            raise AssertionError(f"{method}: {answer['error']}")
        return answer["result"]

    def wait_event(self, method, session):
        return self._wait(lambda m: m.get("method") == method and m.get("sessionId") == session)

    def _wait(self, wanted):
        deadline = time.monotonic() + TIMEOUT
        while True:
            for i, message in enumerate(self.events):
                if wanted(message):
                    return self.events.pop(i)
            while b"\0" in self._buffer:
                raw, self._buffer = self._buffer.split(b"\0", 1)
                self.events.append(json.loads(raw))
            if any(wanted(m) for m in self.events):
                continue
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self._from_browser], [], [], left)[0]:
                raise AssertionError(f"no answer from Chromium in {TIMEOUT} s")
            chunk = os.read(self._from_browser, 1 << 20)
            if not chunk:
                raise AssertionError("Chromium ended: " + self.stderr())
            self._buffer += chunk

    def stderr(self):
        self._log.flush()
        return Path(self._log.name).read_text(errors="replace")[-2000:]

    def close(self):
        try:
            self.call("Browser.close")
        except (AssertionError, OSError):
            pass
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self._to_browser)
        os.close(self._from_browser)
        self._log.close()


@pytest.fixture(scope="module")
def browser():
    with tempfile.TemporaryDirectory(prefix="grader-chromium-") as profile:
        b = Browser(chromium_binary(), profile)
        try:
            yield b
        finally:
            b.close()


def load(browser, path, metrics):
    """Open ``path`` in a new tab sized ``metrics``: (the page's checks, its requests,
    its log entries, its session)."""
    target = browser.call("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.call("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Network", "Log", "Runtime"):
        browser.call(f"{domain}.enable", session=session)
    browser.call("Emulation.setDeviceMetricsOverride", metrics, session=session)
    browser.call("Page.navigate", {"url": path.as_uri()}, session=session)
    browser.wait_event("Page.loadEventFired", session)
    result = browser.call("Runtime.evaluate", {"expression": CHECKS, "awaitPromise": True, "returnByValue": True},
                          session=session)
    assert "exceptionDetails" not in result, result
    mine = [m for m in browser.events if m.get("sessionId") == session]
    requests = [m["params"]["request"]["url"] for m in mine if m["method"] == "Network.requestWillBeSent"]
    logs = [m["params"]["entry"] for m in mine if m["method"] == "Log.entryAdded"]
    errors = [m["params"] for m in mine if m["method"] in ("Runtime.exceptionThrown",)]
    browser.events = [m for m in browser.events if m.get("sessionId") != session]
    return result["result"]["value"], requests, logs + errors, (target, session)


def screenshot(browser, session, out):
    size = browser.call("Page.getLayoutMetrics", session=session)["cssContentSize"]
    clip = {"x": 0, "y": 0, "width": size["width"], "height": min(size["height"], MAX_SHOT_HEIGHT), "scale": 1}
    shot = browser.call("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True, "clip": clip},
                        session=session)
    out.write_bytes(base64.b64decode(shot["data"]))
    return clip


def check_page(browser, path, expected_images, shot):
    """Load ``path`` as a phone and as a desktop; assert it; keep a desktop screenshot."""
    for metrics in (PHONE, DESKTOP):
        page, requests, logs, (target, session) = load(browser, path, metrics)
        assert page["scripts"] == 0
        assert [(i["complete"], i["decoded"], i["scheme"]) for i in page["images"]] == \
            [(True, True, "data")] * len(expected_images)
        assert [(i["width"], i["height"]) for i in page["images"]] == expected_images
        assert all(url == path.as_uri() or url.startswith("data:") for url in requests), requests
        assert [e for e in logs if e.get("level") in ("error", "warning") or "exceptionDetails" in e] == []
        assert page["scrollWidth"] <= page["innerWidth"], f"{path.name} scrolls sideways at {metrics['width']} px"
        if metrics is DESKTOP:
            clip = screenshot(browser, session, shot)
            assert shot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n" and clip["height"] > 300
        browser.call("Target.closeTarget", {"targetId": target})
    return page


def test_the_student_page_loads_with_every_image_decoded(browser, task, tmp_path):
    report = grade(SUBMISSIONS / "bob.py", task)
    report.view = "student"
    report.submission = "submissions/bob.py"
    mnist = next(c for f in report.functions for c in f.checks if c.id == "train.mnist")
    assert len(mnist.facts["confusion"]) == 10            # both recorded by the grader
    assert len(mnist.facts["curve"]["student"]) == 3      # one point an epoch
    path = tmp_path / "report.html"
    path.write_text(render_html(report), encoding="utf-8")
    page = check_page(browser, path, [(640, 360), (520, 460)], Path(SHOTS or tmp_path) / "report-page.png")
    assert "bob.py" in page["title"]


def test_the_summary_page_loads_with_every_image_decoded(browser, tmp_path):
    path = tmp_path / "summary.html"
    path.write_text(render_summary_html(sample_summary()), encoding="utf-8")
    height = 0.45 * 2 + 1.0                 # the bug chart: 2 bugs (plots.bugs_png), inches at 100 dpi
    page = check_page(browser, path, [(640, 320), (640, round(height * 100))],
                      Path(SHOTS or tmp_path) / "summary-page.png")
    assert page["title"] == "mlp · class summary"
