#!/usr/bin/env python3
"""Rendition benchmark: brandvault against vipsthumbnail, Pillow (draft mode) and ImageMagick on
the same corpus, every contender using both cores. For each: images/s, mean output bytes (without
EXIF/ICC segments: brandvault writes the credit, peers may keep or drop metadata) and PSNR
against a full-decode reference (Pillow, full decode, Lanczos, same size). Ratios from one run.

Usage: benches/renditions_compare.py CORPUS_DIR WORK_DIR BRANDVAULT_BINARY
Needs: vipsthumbnail (libvips-tools), convert (imagemagick), Pillow and numpy (pip), GNU time.
"""
import json, os, shutil, subprocess, sys, time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
from PIL import Image

corpus, work, bv = sys.argv[1], sys.argv[2], os.path.abspath(sys.argv[3])
files = sorted(os.path.join(corpus, f) for f in os.listdir(corpus) if f.endswith(".jpg"))
N = len(files)
os.makedirs(work, exist_ok=True)


def timed(cmd, **kw):
    t = time.perf_counter()
    subprocess.run(cmd, check=True, stdout=subprocess.DEVNULL, **kw)
    return time.perf_counter() - t


def psnr(out_path, src_path):
    out = Image.open(out_path).convert("RGB")
    ref = Image.open(src_path).convert("RGB").resize(out.size, Image.LANCZOS)
    a = np.asarray(out, dtype=np.float64)
    b = np.asarray(ref, dtype=np.float64)
    mse = ((a - b) ** 2).mean()
    return 99.0 if mse == 0 else 10 * np.log10(255 ** 2 / mse)


def metadata_bytes(path):
    """Bytes of the APP1 (EXIF) and APP2 (ICC) segments: brandvault's renditions carry the credit,
    the peers' carry nothing, so sizes are compared without them too."""
    data = open(path, "rb").read()
    pos, total = 2, 0
    while pos + 4 <= len(data) and data[pos] == 0xFF and 0xE0 <= data[pos + 1] <= 0xEF:
        length = int.from_bytes(data[pos + 2:pos + 4], "big")
        if data[pos + 1] in (0xE1, 0xE2):
            total += length + 2
        pos += length + 2
    return total


def quality(outdir, pick):
    """Mean bytes and mean PSNR of the outputs in outdir; pick(src) names the output of src."""
    sizes, ps = [], []
    for src in files:
        out = pick(src)
        sizes.append(os.path.getsize(out) - (metadata_bytes(out) if out.endswith(".jpg") else 0))
        ps.append(psnr(out, src))
    return sum(sizes) / len(sizes), sum(ps) / len(ps)


def two_procs(cmds):
    """Runs shell-free commands on two worker processes."""
    t = time.perf_counter()
    pending = list(cmds)
    running = []
    while pending or running:
        while pending and len(running) < 2:
            running.append(subprocess.Popen(pending.pop(0)))
        running[0].wait()
        running = [p for p in running if p.poll() is None]
    return time.perf_counter() - t


def pillow_one(args):
    src, dst, size, q = args
    im = Image.open(src)
    im.draft("RGB", (size, size))
    im.thumbnail((size, size), Image.LANCZOS)
    im.save(dst, quality=q)


def pillow(outdir, size, q):
    os.makedirs(outdir, exist_ok=True)
    jobs = [(f, os.path.join(outdir, os.path.basename(f)), size, q) for f in files]
    t = time.perf_counter()
    with ProcessPoolExecutor(2) as pool:
        list(pool.map(pillow_one, jobs))
    return time.perf_counter() - t


def brandvault(presets, tag):
    data = os.path.join(work, "bv-" + tag)
    shutil.rmtree(data, ignore_errors=True)
    subprocess.run([bv, "--data", data, "ingest", "--no-render", corpus], check=True, stdout=subprocess.DEVNULL)
    args = [bv, "--data", data, "--json", "render"] + sum((["--preset", p] for p in presets), [])
    rss_file = os.path.join(work, "rss-" + tag)
    t = timed(["/usr/bin/time", "-f", "%M", "-o", rss_file] + args)
    rss = int(open(rss_file).read().split()[-1]) // 1024
    return data, t, rss


def bv_outputs(data, preset, outdir):
    os.makedirs(outdir, exist_ok=True)
    listing = json.loads(subprocess.run([bv, "--data", data, "--json", "ls"], check=True, capture_output=True).stdout)
    by_name = {}
    for a in listing:
        out = os.path.join(outdir, a["names"][0])
        subprocess.run([bv, "--data", data, "export", a["id"], "--preset", preset, "-o", out], check=True, stdout=subprocess.DEVNULL)
        by_name[a["names"][0]] = out
    return lambda src: by_name[os.path.basename(src)]


results = {}
print(f"corpus: {N} files, {Image.open(files[0]).size[0]}x{Image.open(files[0]).size[1]}")

# 1. preview alone: 1024 px long edge, JPEG q82.
data, t, rss = brandvault(["preview"], "preview")
b, p = quality(None, bv_outputs(data, "preview", os.path.join(work, "bv-preview-out")))
results["brandvault"] = (N / t, b, p)
print(f"brandvault preview: {N/t:.1f} img/s, {b:.0f} B, PSNR {p:.3f} dB, peak RSS {rss} MiB")

vo = os.path.join(work, "vips"); os.makedirs(vo, exist_ok=True)
t = two_procs([["vipsthumbnail", f, "-s", "1024", "-o", os.path.join(vo, "%s.jpg[Q=82]")] for f in files])
b, p = quality(vo, lambda s: os.path.join(vo, os.path.basename(s)))
results["vipsthumbnail"] = (N / t, b, p)
print(f"vipsthumbnail: {N/t:.1f} img/s, {b:.0f} B, PSNR {p:.3f} dB")

po = os.path.join(work, "pillow")
t = pillow(po, 1024, 82)
b, p = quality(po, lambda s: os.path.join(po, os.path.basename(s)))
results["pillow"] = (N / t, b, p)
print(f"Pillow draft+thumbnail: {N/t:.1f} img/s, {b:.0f} B, PSNR {p:.3f} dB")

mo = os.path.join(work, "magick"); os.makedirs(mo, exist_ok=True)
t = two_procs([["convert", f, "-thumbnail", "1024x1024", "-quality", "82", os.path.join(mo, os.path.basename(f))] for f in files])
b, p = quality(mo, lambda s: os.path.join(mo, os.path.basename(s)))
results["imagemagick"] = (N / t, b, p)
print(f"ImageMagick convert -thumbnail: {N/t:.1f} img/s, {b:.0f} B, PSNR {p:.3f} dB")

ours = results["brandvault"][0]
fastest = max(results["vipsthumbnail"][0], results["pillow"][0])
print(f"RATIO preview vs fastest of vipsthumbnail/Pillow: {ours/fastest:.2f}x (goal >= 1.5x)")
print(f"RATIO preview vs ImageMagick: {ours/results['imagemagick'][0]:.2f}x (goal >= 3x)")

# 2. the standard set: thumb + preview + web.
data, t_bv, rss = brandvault(["thumb", "preview", "web"], "set")
vs = os.path.join(work, "vips-set"); os.makedirs(vs, exist_ok=True)
cmds = []
for f in files:
    base = os.path.join(vs, os.path.splitext(os.path.basename(f))[0])
    cmds += [["vipsthumbnail", f, "-s", "256", "-o", base + "-thumb.webp[Q=78]"],
             ["vipsthumbnail", f, "-s", "1024", "-o", base + "-preview.jpg[Q=82]"],
             ["vipsthumbnail", f, "-s", "2048", "-o", base + "-web.jpg[Q=85]"]]
t_vips = two_procs(cmds)
print(f"standard set: brandvault {N/t_bv:.1f} photos/s (peak RSS {rss} MiB), vipsthumbnail {N/t_vips:.1f} photos/s")
print(f"RATIO standard set vs vipsthumbnail: {t_vips/t_bv:.2f}x (goal >= 2.5x)")
