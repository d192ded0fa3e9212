#!/usr/bin/env python3
"""Regenerates the reference data the product carries, from the reference CSVs (see shared/data/README.md).

Usage: python3 shared/data/build/reference.py SOURCE_DIR [REPO_ROOT]
  SOURCE_DIR: the folder with postal_codes.csv, municipalities.csv, prefectures.csv,
              health_center_by_municipality.csv and health_centers.csv.
  REPO_ROOT:  defaults to the repository this script is in.

Writes (deterministically: sorted, LF, UTF-8, no BOM):
  public/data/postal/<first 3 digits>.json  one file per postal-code prefix, fetched lazily by the app and parsed by
                                            shared::notification::postal::PostalIndex::from_json
  shared/data/municipalities.tsv            code, prefecture, name, kind            (feature reference-data)
  shared/data/health_centers.tsv            id, name, pref_code, operator           (feature reference-data)
  shared/data/health_center_by_municipality.tsv  code, health_center_id             (feature reference-data)
  shared/data/prefectures.tsv               pref_code, prefecture, kana
Python 3 standard library only.
"""

import csv
import json
import os
import sys
from collections import defaultdict


def read(source, name):
    with open(os.path.join(source, name), encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def check_digit(code5):
    s = sum(int(d) * w for d, w in zip(code5, (6, 5, 4, 3, 2)))
    return str((11 - s % 11) % 10)


def write_tsv(path, header, rows):
    for row in rows:
        for cell in row:
            if "\t" in cell or "\n" in cell:
                raise SystemExit(f"{path}: tab or newline in {cell!r}")
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        f.write("\t".join(header) + "\n")
        for row in rows:
            f.write("\t".join(row) + "\n")
    return len(rows), os.path.getsize(path)


def main():
    if len(sys.argv) < 2:
        raise SystemExit(__doc__)
    source = sys.argv[1]
    root = sys.argv[2] if len(sys.argv) > 2 else os.path.abspath(os.path.join(os.path.dirname(__file__), "../../.."))
    data_out = os.path.join(root, "shared/data")
    postal_out = os.path.join(root, "public/data/postal")
    os.makedirs(postal_out, exist_ok=True)

    municipalities = read(source, "municipalities.csv")
    for m in municipalities:
        if m["muni_code"] != m["muni_code5"] + check_digit(m["muni_code5"]):
            raise SystemExit(f"check digit: {m['muni_code']}")
    summary = {}
    summary["shared/data/municipalities.tsv"] = write_tsv(
        os.path.join(data_out, "municipalities.tsv"),
        ["code", "prefecture", "name", "kind"],
        sorted([m["muni_code"], m["prefecture"], m["name"], m["kind"]] for m in municipalities),
    )
    hcs = read(source, "health_centers.csv")
    summary["shared/data/health_centers.tsv"] = write_tsv(
        os.path.join(data_out, "health_centers.tsv"),
        ["id", "name", "pref_code", "operator"],
        sorted([h["health_center_id"], h["health_center_name"], h["pref_code"], h["operator"]] for h in hcs),
    )
    hc_ids = {h["health_center_id"] for h in hcs}
    by_muni = read(source, "health_center_by_municipality.csv")
    for r in by_muni:
        if r["health_center_id"] not in hc_ids:
            raise SystemExit(f"unknown health center {r['health_center_id']}")
    summary["shared/data/health_center_by_municipality.tsv"] = write_tsv(
        os.path.join(data_out, "health_center_by_municipality.tsv"),
        ["code", "health_center_id"],
        sorted([r["muni_code"], r["health_center_id"]] for r in by_muni),
    )
    prefectures = read(source, "prefectures.csv")
    summary["shared/data/prefectures.tsv"] = write_tsv(
        os.path.join(data_out, "prefectures.tsv"),
        ["pref_code", "prefecture", "kana"],
        sorted([p["pref_code"], p["prefecture"], p["prefecture_kana"]] for p in prefectures),
    )

    # Postal codes: per prefix, each municipality once, then [index, town, note] per code.
    by_prefix = defaultdict(lambda: defaultdict(list))
    for r in read(source, "postal_codes.csv"):
        code = r["postal_code"]
        if len(code) != 7 or not code.isdigit():
            raise SystemExit(f"postal code {code!r}")
        if r["muni_code"] != r["muni_code5"] + check_digit(r["muni_code5"]):
            raise SystemExit(f"check digit: {r['muni_code']}")
        muni = (r["muni_code5"], r["muni_code"], r["prefecture"], r["city"])
        entry = (muni, r["town"], r["town_note"])
        if entry not in by_prefix[code[:3]][code]:
            by_prefix[code[:3]][code].append(entry)
    for name in os.listdir(postal_out):
        if name.endswith(".json"):
            os.remove(os.path.join(postal_out, name))
    total_bytes = 0
    largest = (0, "")
    codes_total = 0
    for prefix in sorted(by_prefix):
        codes = by_prefix[prefix]
        munis = sorted({e[0] for entries in codes.values() for e in entries})
        index = {m: i for i, m in enumerate(munis)}
        doc = {
            "prefix": prefix,
            "municipalities": [list(m) for m in munis],
            "codes": {c: [[index[e[0]], e[1], e[2]] for e in codes[c]] for c in sorted(codes)},
        }
        path = os.path.join(postal_out, prefix + ".json")
        with open(path, "w", encoding="utf-8", newline="\n") as f:
            json.dump(doc, f, ensure_ascii=False, separators=(",", ":"))
            f.write("\n")
        size = os.path.getsize(path)
        total_bytes += size
        largest = max(largest, (size, prefix))
        codes_total += len(codes)
    summary["public/data/postal/*.json"] = (len(by_prefix), total_bytes)
    for name, (rows, size) in summary.items():
        print(f"{name}\t{rows} rows/files\t{size} bytes")
    print(f"postal codes: {codes_total}; largest file: {largest[1]}.json ({largest[0]} bytes)")


if __name__ == "__main__":
    main()
