#!/usr/bin/env python3
"""Screenshots of the desk's pages (signed in) at 1366 and 390 px, through chromedriver's
W3C WebDriver protocol (the desk needs a session, which chromium --screenshot cannot open).
Usage: desk.py SITE OUT_DIR [AXE_JS]   (the library made by make.sh, with its accounts; with
axe-core's axe.min.js, each page is also checked for serious WCAG 2.1 AA violations)."""
import base64, json, socket, subprocess, sys, time, urllib.request

site, out = sys.argv[1], sys.argv[2]
PASSWORD = "một mật khẩu đủ dài"


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


port = free_port()
driver = subprocess.Popen(["chromedriver", f"--port={port}"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)


def call(method, path, body=None):
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://127.0.0.1:{port}{path}", data=data, method=method,
                                 headers={"Content-Type": "application/json"})
    with urllib.request.urlopen(req, timeout=60) as r:
        return json.load(r)["value"]


for _ in range(100):
    try:
        call("GET", "/status")
        break
    except Exception:
        time.sleep(0.1)
caps = {"capabilities": {"alwaysMatch": {"goog:chromeOptions": {
    "args": ["--headless=new", "--no-sandbox", "--disable-gpu", "--hide-scrollbars"]}}}}
session = call("POST", "/session", caps)["sessionId"]
s = f"/session/{session}"
call("POST", s + "/timeouts", {"implicit": 5000})


def find(css):
    return list(call("POST", s + "/element", {"using": "css selector", "value": css}).values())[0]


def sign_in(user):
    call("DELETE", s + "/cookie")
    call("POST", s + "/url", {"url": site + "/login"})
    call("POST", s + f"/element/{find('#user')}/value", {"text": user})
    call("POST", s + f"/element/{find('#password')}/value", {"text": PASSWORD})
    call("POST", s + f"/element/{find('main form button')}/click", {})
    find("main h1")


AXE = open(sys.argv[3]).read() if len(sys.argv) > 3 else None
problems = []


def audit(path, width):
    """axe-core's serious and critical findings, and any sideways scroll, on the page shown."""
    if AXE is None:
        return
    call("POST", s + "/execute/sync", {"script": AXE + "\nreturn true;", "args": []})
    found = call("POST", s + "/execute/async", {"script": """
        const done = arguments[arguments.length - 1];
        axe.run(document, {runOnly: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa']})
          .then(r => done(r.violations.filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => v.id)));""", "args": []})
    wide = call("POST", s + "/execute/sync", {"script": "return document.documentElement.scrollWidth - document.documentElement.clientWidth", "args": []})
    if found or wide:
        problems.append(f"{path} at {width}: axe {found}, {wide} px too wide")


def shoot(name, path, ready="main h1", scroll=False):
    for width in (1366, 390):
        call("POST", s + "/window/rect", {"width": width, "height": 1400 if width > 400 else 1800})
        call("POST", s + "/url", {"url": site + path})
        find(ready)
        if scroll:
            call("POST", s + "/execute/sync", {"script": "document.querySelector(arguments[0]).scrollIntoView()", "args": [ready]})
        audit(path, width)
        png = base64.b64decode(call("GET", s + "/screenshot"))
        with open(f"{out}/{name}-{width}.png", "wb") as f:
            f.write(png)


try:
    mine = json.load(open(f"{out}/.ids.json"))
    sign_in("thu")
    shoot("desk-mine", "/mine")
    shoot("desk-upload", "/upload")
    shoot("desk-edit", f"/assets/{mine['draft']}/edit")
    # The film player as a partner site frames it, subtitles showing at 4.5 s.
    call("DELETE", s + "/cookie")
    seek = ("const done = arguments[arguments.length - 1]; const v = document.getElementById('film');"
            " v.muted = true; v.addEventListener('seeked', () => { v.pause(); setTimeout(done, 400); }, {once: true});"
            " v.play().then(() => { v.currentTime = 4.5; }, () => done());")
    for width in (1366, 390):
        call("POST", s + "/window/rect", {"width": width, "height": 900 if width > 400 else 844})
        call("POST", s + "/url", {"url": f"{site}/v/{mine['film']}"})
        find("#film")
        audit(f"/v/{mine['film']}", width)
        call("POST", s + "/execute/async", {"script": seek, "args": []})
        with open(f"{out}/player-{width}.png", "wb") as f:
            f.write(base64.b64decode(call("GET", s + "/screenshot")))
    sign_in("hoa")
    shoot("desk-review", "/review", "#detail")
    first = call("POST", s + "/execute/sync", {"script": "return document.querySelector('.tile').dataset.id", "args": []})
    shoot("desk-review-item", f"/review?item={first}", "#detail")
    shoot("desk-history", f"/assets/{mine['approved']}", "#history", scroll=True)
    shoot("desk-versions", f"/assets/{mine['draft']}/edit", "#versions", scroll=True)
    shoot("desk-subtitles", f"/assets/{mine['film']}/edit", "#subtitles", scroll=True)
    shoot("desk-cues", f"/assets/{mine['film']}/subtitles/vi", "#cues")
    # A press officer gathers four pictures from their pages and makes a share link.
    sign_in("lan")
    for n, pid in enumerate(mine["public"]):
        call("POST", s + "/url", {"url": f"{site}/assets/{pid}"})
        if n == 0:
            call("POST", s + f"/element/{find('#collect-new')}/value", {"text": "Bình Phước cho báo Tuổi Trẻ"})
        call("POST", s + f"/element/{find('#collect-add')}/click", {})
        find("#added-note")
    shoot("desk-collect", f"/assets/{mine['public'][0]}", "#collect", scroll=True)
    # The catalogue as a signed-in press officer sees it: pictures to tick into a collection.
    shoot("desk-catalogue-pick", "/", "#collect")
    call("POST", s + "/url", {"url": site + "/collections"})
    call("POST", s + f"/element/{find('#collections a')}/click", {})
    find("#collection-items")
    collection = call("POST", s + "/execute/sync", {"script": "return location.pathname", "args": []})
    call("POST", s + f"/element/{find('#make-link')}/click", {})
    link = call("GET", s + f"/element/{find('#links .fresh .link-url')}/property/value")
    shoot("desk-collection", collection)
    shoot("desk-collections", "/collections")
    call("DELETE", s + "/cookie")
    shoot("share", link[link.index("/s/"):])
    sign_in("quan")
    shoot("desk-people", "/admin")
    shoot("desk-account", "/login")
    print("\n".join(problems) or "axe: nothing serious; nothing wider than the screen")
finally:
    try:
        call("DELETE", s)
    finally:
        driver.terminate()
