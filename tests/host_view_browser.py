#!/usr/bin/python3
# SPDX-License-Identifier: GPL-2.0
"""vmscope map, opened the way a person opens it: in a real browser.

Debian's headless Chromium (installed through scripts/pkgs.sh when missing)
opens the generated HTML file from disk with the network off, driven over
its DevTools protocol (tests/lib/cdp.py).  The test fails on any console
error or warning, any exception and any network request; checks that the
page lists exactly the VMAs of /proc/PID/maps (window.vmscope.vmas()); that
known regions of a target are drawn in their colours, by reading back the
canvas pixels at the positions the page reports (window.vmscope.locate()):
a THP region, a zero-page region, a COW-shared region (the shared mark under
it) and a swapped region; that zoom, go-to and click work; and saves a
screenshot under build/.

  tests/host_view_browser.py            a target here: pages from pagemap
                                        (the host has no module), as root
  tests/host_view_browser.py DIR LABEL  a map made elsewhere (the guest's,
                                        from the module): DIR/map.html,
                                        DIR/maps (its /proc/PID/maps) and
                                        DIR/regions.json
Prints TAP.
"""
import json
import os
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, os.path.join(HERE, "lib"))
import cdp  # noqa: E402

VMSCOPE = os.path.join(ROOT, "build", "vmscope")
TARGET = os.path.join(ROOT, "build", "tests", "vmtarget")
n = fails = 0


def result(ok, name, diag=None):
    global n, fails
    n += 1
    print(f"{'ok' if ok else 'not ok'} {n} {name}")
    if not ok:
        fails += 1
        for line in str(diag or "").splitlines()[:12]:
            print("# " + line)
    return ok


def skip(name, why):
    global n
    n += 1
    print(f"ok {n} {name} # SKIP {why}")


def diag(msg):
    for line in str(msg).splitlines():
        print("# " + line)


def finish():
    print(f"1..{n}")
    sys.exit(1 if fails else 0)


def parse_maps(text):
    out = []
    for line in text.splitlines():
        parts = line.split(None, 5)
        if len(parts) < 5:
            continue
        s, e = parts[0].split("-")
        out.append({"start": hex(int(s, 16)), "end": hex(int(e, 16)), "perms": parts[1],
                    "name": parts[5].strip() if len(parts) > 5 else ""})
    return out


def ensure_chromium():
    if os.access(cdp.CHROMIUM, os.X_OK):
        return None
    r = subprocess.run(["bash", "-c", ". scripts/pkgs.sh && need_pkgs chromium"], cwd=ROOT,
                       capture_output=True, text=True)
    if os.access(cdp.CHROMIUM, os.X_OK):
        return None
    return "Debian's chromium is not installed and could not be (" + \
        (r.stderr.strip().splitlines() or ["need_pkgs chromium failed"])[-1] + ")"


def check_page(html, maps, regions, label, shot):
    """The checks of one generated page; regions: [(what, addr, pages, state, mark)]."""
    url = "file://" + os.path.abspath(html)
    try:
        b = cdp.Browser()
    except Exception as e:  # noqa: BLE001
        result(False, f"{label}: headless Chromium starts", e)
        return
    try:
        t = b.open(url)
        timing = b.eval("JSON.stringify(window.vmscope.timing)")
        diag(f"{label}: opened in {t * 1000:.0f} ms; page timing {timing}; "
             f"{os.path.getsize(html)} bytes")
        result(True, f"{label}: the page opens offline and reports ready")
        vmas = json.loads(b.eval("JSON.stringify(window.vmscope.vmas())"))
        got = [{k: v[k] for k in ("start", "end", "perms", "name")} for v in vmas]
        want = parse_maps(maps)
        bad = [f"page {g} / maps {w}" for g, w in zip(got, want) if g != w]
        result(got == want, f"{label}: the page lists exactly the VMAs of /proc/PID/maps "
               f"({len(want)})", "\n".join(bad[:5]) or f"{len(got)} VMAs on the page, {len(want)} in maps")
        for what, addr, pages, state, mark in regions:
            if state is None:
                skip(f"{label}: {what} drawn in its colour", mark)
                continue
            a = int(addr, 16)
            b.eval(f"window.vmscope.show('{hex(a)}', '{hex(a + pages * 4096)}')")
            mid = hex(a + (pages // 2) * 4096)
            loc = json.loads(b.eval(f"JSON.stringify(window.vmscope.locate('{mid}', 'page'))"))
            px = b.eval(f"window.vmscope.pixel({loc['dx']}, {loc['dy']})")
            col = b.eval(f"window.vmscope.color('state', '{state}')")
            ok = loc["onscreen"] and px[:3] == col
            if ok and mark:
                ml = json.loads(b.eval(f"JSON.stringify(window.vmscope.locate('{mid}', '{mark}'))"))
                mp = b.eval(f"window.vmscope.pixel({ml['dx']}, {ml['dy']})")
                mc = b.eval(f"window.vmscope.color('flag', '{mark}')")
                ok = mp[:3] == mc
                px, col = (px, mp), (col, mc)
            result(ok, f"{label}: {what} drawn in its colour ({state}{' + ' + mark if mark else ''})",
                   f"at {loc}: pixel {px}, expected {col}")
        # Clicking a page: the details panel names it, and shows a collected walk.
        # The page to click: one the map collected a walk of (--explain), in
        # the first region this kernel has (no THP region on PREEMPT_RT).
        walked = [int(e["addr"], 16) for e in
                  json.loads(b.eval("JSON.stringify(window.vmscope.data.explain || [])"))]
        drawn = [(int(r[1], 16), r[2]) for r in regions if r[3] is not None]
        inside = [w for w in walked for lo, n in drawn if lo <= w < lo + n * 4096]
        a = hex((inside or walked or [int(regions[0][1], 16)])[0])
        text = b.eval(f"window.vmscope.select('{a}')") or ""
        result(hex(int(a, 16)) in text and "walk (" in text,
               f"{label}: clicking a page shows it and what the walk of it said", text[:300])
        # Zoom in and out with the buttons, go to an address with the box.
        b.eval("window.vmscope.fit()")
        z0 = b.eval("document.getElementById('zoominfo').textContent")
        b.eval("document.getElementById('zin').click()")
        time.sleep(0.2)
        z1 = b.eval("document.getElementById('zoominfo').textContent")
        b.eval("const g = document.getElementById('goto'); g.value = '%s';"
               "g.dispatchEvent(new KeyboardEvent('keydown', {key: 'Enter'}))" % a)
        time.sleep(0.2)
        z2 = b.eval("document.getElementById('zoominfo').textContent")
        result(z0 != z1 and z2 != z1, f"{label}: zoom and go-to change the view", f"{z0} / {z1} / {z2}")
        b.eval("window.vmscope.fit()")
        time.sleep(0.2)
        b.screenshot(shot)
        result(os.path.getsize(shot) > 10000, f"{label}: screenshot saved ({os.path.relpath(shot, ROOT)})")
        probs = b.problems(url)
        result(not probs, f"{label}: no console error, exception or network request", "\n".join(probs))
    except Exception as e:  # noqa: BLE001
        result(False, f"{label}: the page could be driven", f"{e}\n{b.tail()}")
    finally:
        b.close()


def host():
    if os.geteuid() != 0:
        skip("host map in a browser", "needs root: without /proc/kpageflags and PFNs, "
             "pagemap cannot tell THP and zero pages")
        return
    t = subprocess.Popen([TARGET, "mix"], stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        line = t.stdout.readline().split()
        pid = int(line[1])
        addr = dict(x.split("=") for x in line[2:])
        time.sleep(0.3)
        maps = open(f"/proc/{pid}/maps").read()
        html = os.path.join(ROOT, "build", "map-host.html")
        r = subprocess.run([VMSCOPE, "map", str(pid), "-o", html, "--explain", "16"],
                           capture_output=True, text=True)
        if not result(r.returncode == 0, "vmscope map writes the page", r.stderr):
            return
        diag(r.stdout.strip())
        regions = [("the THP region", addr["thp"], 1024, "thp", None),
                   ("the zero-page region", addr["zero"], 8, "zero", None),
                   ("the COW-shared region", addr["cow"], 8, "4k", "shared")]
        smaps = open(f"/proc/{pid}/smaps").read()
        thp_vma = [blk for blk in smaps.split("\n") if blk.startswith(addr["thp"][2:])]
        if "AnonHugePages:      4096 kB" not in smaps and "AnonHugePages:      2048 kB" not in smaps:
            regions[0] = ("the THP region", addr["thp"], 1024, None, "no THP here (smaps shows none)")
        del thp_vma
        swapped = 0
        with open(f"/proc/{pid}/pagemap", "rb") as f:
            f.seek((int(addr["out"], 16) >> 12) * 8)
            data = f.read(8 * 8)
            swapped = sum(1 for i in range(8) if int.from_bytes(data[i * 8:i * 8 + 8], "little") >> 62 & 1)
        if swapped == 8:
            regions.append(("the swapped region", addr["out"], 8, "swap", None))
        else:
            regions.append(("the swapped region", addr["out"], 8, None,
                            "no swap area on this host (/proc/swaps): the guest's map checks it"))
        check_page(html, maps, regions, "host (pagemap)", os.path.join(ROOT, "build", "map-host.png"))
    finally:
        t.stdin.close()
        t.wait()


def from_dir(d, label):
    html, maps = os.path.join(d, "map.html"), os.path.join(d, "maps")
    if not (os.path.exists(html) and os.path.exists(maps)):
        skip(f"{label}: map in a browser", f"{d} holds no map.html and maps (the guest did not make one)")
        return
    regions = [tuple(r) for r in json.load(open(os.path.join(d, "regions.json")))]
    check_page(html, open(maps).read(), regions, label, os.path.join(d, "map.png"))


def main():
    print("TAP version 13")
    why = ensure_chromium()
    if why:
        skip("vmscope map in headless Chromium", why)
        finish()
    if len(sys.argv) == 3:
        from_dir(sys.argv[1], sys.argv[2])
    else:
        host()
    finish()


if __name__ == "__main__":
    main()
