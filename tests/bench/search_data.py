"""Writes N synthetic patient records straight into a local D1 SQLite file (for tests/bench/search.mjs).

Usage: search_data.py <sqlite file> <rows> <shared/data dir>

Distribution: the demo health center (新宿区保健所, HC13104) gets 50,000 records (5,000 of them filed by the demo
clinic), Tokyo (prefecture 13) 150,000 in all, the rest spread over every other health center of the reference
data. Names are drawn from common family and given names with their katakana; dates of birth over 100 years;
filing times over the last three years; categories and statuses skewed as a wave would have them; 30% carry a
保健所独自ID; 0.5% are deleted. Keys are normalised as shared/src/case/mod.rs does. Every foreign key holds: the
clinics that file the records are inserted into `institutions` (a few hundred a health center, as many as its
records need), the health centers from the reference data, the users are the demo accounts (checked with
PRAGMA foreign_key_check afterwards). No ANALYZE / PRAGMA optimize: the product's migrations do not run one, so the
planner works without statistics here as it would in D1. Prints JSON with the timing.
"""
import json
import os
import random
import sqlite3
import sys
import time

FAMILY = [("佐藤", "サトウ"), ("鈴木", "スズキ"), ("高橋", "タカハシ"), ("田中", "タナカ"), ("伊藤", "イトウ"), ("渡辺", "ワタナベ"),
          ("山本", "ヤマモト"), ("中村", "ナカムラ"), ("小林", "コバヤシ"), ("加藤", "カトウ"), ("吉田", "ヨシダ"), ("山田", "ヤマダ"),
          ("佐々木", "ササキ"), ("山口", "ヤマグチ"), ("松本", "マツモト"), ("井上", "イノウエ"), ("木村", "キムラ"), ("林", "ハヤシ"),
          ("斎藤", "サイトウ"), ("清水", "シミズ"), ("山崎", "ヤマザキ"), ("森", "モリ"), ("池田", "イケダ"), ("橋本", "ハシモト"),
          ("阿部", "アベ"), ("石川", "イシカワ"), ("山下", "ヤマシタ"), ("中島", "ナカジマ"), ("石井", "イシイ"), ("小川", "オガワ"),
          ("前田", "マエダ"), ("岡田", "オカダ"), ("長谷川", "ハセガワ"), ("藤田", "フジタ"), ("後藤", "ゴトウ"), ("近藤", "コンドウ"),
          ("村上", "ムラカミ"), ("遠藤", "エンドウ"), ("青木", "アオキ"), ("坂本", "サカモト"), ("斉藤", "サイトウ"), ("福田", "フクダ"),
          ("太田", "オオタ"), ("西村", "ニシムラ"), ("藤井", "フジイ"), ("金子", "カネコ"), ("岡本", "オカモト"), ("藤原", "フジワラ"),
          ("中野", "ナカノ"), ("三浦", "ミウラ"), ("原田", "ハラダ"), ("中川", "ナカガワ"), ("松田", "マツダ"), ("竹内", "タケウチ"),
          ("小野", "オノ"), ("田村", "タムラ"), ("中山", "ナカヤマ"), ("和田", "ワダ"), ("石田", "イシダ"), ("森田", "モリタ")]
GIVEN = [("太郎", "タロウ", "男"), ("花子", "ハナコ", "女"), ("健", "ケン", "男"), ("美咲", "ミサキ", "女"), ("翔太", "ショウタ", "男"),
         ("陽菜", "ヒナ", "女"), ("大輔", "ダイスケ", "男"), ("由美", "ユミ", "女"), ("蓮", "レン", "男"), ("葵", "アオイ", "女"),
         ("大翔", "ヒロト", "男"), ("結衣", "ユイ", "女"), ("拓也", "タクヤ", "男"), ("さくら", "サクラ", "女"), ("誠", "マコト", "男"),
         ("恵子", "ケイコ", "女"), ("浩", "ヒロシ", "男"), ("洋子", "ヨウコ", "女"), ("学", "マナブ", "男"), ("真由美", "マユミ", "女"),
         ("修", "オサム", "男"), ("久美子", "クミコ", "女"), ("隆", "タカシ", "男"), ("京子", "キョウコ", "女"), ("悠真", "ユウマ", "男"),
         ("芽依", "メイ", "女"), ("湊", "ミナト", "男"), ("凛", "リン", "女"), ("一郎", "イチロウ", "男"), ("幸子", "サチコ", "女")]
CATEGORIES = [("confirmed_patient", 850), ("asymptomatic_carrier", 100), ("suspected_patient", 40), ("deceased_patient", 5),
              ("suspected_deceased", 5)]
STATUSES = [("result_reported", 400), ("released", 300), ("waiting_low", 80), ("admitted", 60), ("discharged", 60),
            ("contact_observation", 40), ("waiting_high", 20), ("specimen_collected", 15), ("became_severe", 10),
            ("no_longer_severe", 10), ("died", 5)]
SMALL = str.maketrans("ァィゥェォッャュョヮ", "アイウエオツヤユヨワ")


def search_key(kana):
    return kana.replace("\u3000", "").translate(SMALL).replace("ヴ", "ブ")


def luhn(body):
    s = 0
    for i, ch in enumerate(reversed(body)):
        d = int(ch)
        s += (d * 2) // 10 + (d * 2) % 10 if i % 2 == 0 else d
    return str((10 - s % 10) % 10)


def weighted(pairs):
    out = []
    for v, w in pairs:
        out += [v] * w
    return out


def main():
    path, rows, data_dir = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    rnd = random.Random(20261125)
    hcs = []
    with open(os.path.join(data_dir, "health_centers.tsv"), encoding="utf-8") as f:
        next(f)
        for line in f:
            hid, name, pref, _ = line.rstrip("\n").split("\t")
            hcs.append((hid, name, pref))
    pref_names = {}
    with open(os.path.join(data_dir, "prefectures.tsv"), encoding="utf-8") as f:
        header = next(f).rstrip("\n").split("\t")
        for line in f:
            cols = dict(zip(header, line.rstrip("\n").split("\t")))
            pref_names[cols["pref_code"]] = cols["prefecture"]
    tokyo = [h for h in hcs if h[2] == "13" and h[0] != "HC13104"]
    others = [h for h in hcs if h[2] != "13"]
    db = sqlite3.connect(path)
    db.execute("PRAGMA journal_mode = WAL")
    db.execute("PRAGMA synchronous = OFF")
    db.executemany(
        "INSERT OR IGNORE INTO health_centers (id, name, pref_code, prefecture) VALUES (?, ?, ?, ?)",
        [(h[0], h[1], h[2], pref_names.get(h[2], "")) for h in hcs],
    )
    user = db.execute("SELECT id FROM users WHERE id = 'u_demo_doctor_shinjuku'").fetchone()
    if not user:
        sys.exit("seed the demo accounts first")
    # Build without the search indexes, then create them (as a bulk load would).
    indexes = db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name = 'cases' AND sql IS NOT NULL").fetchall()
    for name, _ in indexes:
        db.execute(f"DROP INDEX {name}")
    cats = weighted(CATEGORIES)
    stats = weighted(STATUSES)
    now = int(time.time() * 1000)
    three_years = 3 * 365 * 86400 * 1000
    t0 = time.time()
    base = db.execute("SELECT COALESCE(MAX(seq), 0) FROM cases").fetchone()[0]
    insts = {"inst_demo_shinjuku": None}
    batch = []
    for i in range(rows):
        n = base + i + 1
        if i < 50_000:
            hc = ("HC13104", "", "13")
            inst = "inst_demo_shinjuku" if i < 5_000 else f"inst_bench_{hc[0]}_{i % 300}"
        elif i < 150_000:
            hc = tokyo[i % len(tokyo)]
            inst = f"inst_bench_{hc[0]}_{i % 200}"
        else:
            hc = others[rnd.randrange(len(others))]
            inst = f"inst_bench_{hc[0]}_{i % 100}"
        if inst not in insts:
            insts[inst] = (inst, f"ベンチ診療所 {len(insts) + 1}", hc[0], hc[2], now)
        fam, fam_kana = FAMILY[rnd.randrange(len(FAMILY))]
        giv, giv_kana, sex = GIVEN[rnd.randrange(len(GIVEN))]
        name = f"{fam} {giv}"
        furigana = f"{fam_kana}\u3000{giv_kana}"
        dob = f"{rnd.randint(1925, 2024)}-{rnd.randint(1, 12):02d}-{rnd.randint(1, 28):02d}"
        phone = f"0{rnd.choice('789')}0{rnd.randint(10_000_000, 99_999_999)}"
        body = f"{n % 1_000_000_000:09d}"
        smartphone = body + luhn(body)
        filed_at = now - rnd.randrange(three_years)
        own = f"{hc[0][2:]}-{n}" if rnd.random() < 0.3 else ""
        deleted = filed_at + 3600_000 if rnd.random() < 0.005 else None
        batch.append((
            f"b_{n}", smartphone, inst, hc[0], hc[2], name, fam + giv, furigana, search_key(furigana), dob, phone, "",
            sex, cats[rnd.randrange(len(cats))], stats[rnd.randrange(len(stats))], own, "新宿区", filed_at, filed_at,
            "u_demo_doctor_shinjuku", filed_at, "u_demo_doctor_shinjuku", deleted,
            "u_demo_doctor_shinjuku" if deleted else None,
        ))
        if len(batch) == 50_000:
            db.executemany(INSERT, batch)
            batch = []
    if batch:
        db.executemany(INSERT, batch)
    db.executemany("INSERT OR IGNORE INTO institutions (id, name, health_center_id, pref_code, created_at) VALUES (?, ?, ?, ?, ?)",
                   [v for v in insts.values() if v])
    db.commit()
    t_rows = time.time() - t0
    t1 = time.time()
    for _, sql in indexes:
        db.execute(sql)
    db.commit()
    t_idx = time.time() - t1
    bad = db.execute("PRAGMA foreign_key_check(cases)").fetchmany(5)
    if bad:
        sys.exit(f"generated rows break foreign keys: {bad}")
    if db.execute("SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'").fetchone():
        sys.exit("sqlite_stat1 exists: the product never runs ANALYZE, the benchmark should not either")
    db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    db.close()
    print(json.dumps({"rows": rows, "insert_s": round(t_rows, 1), "index_s": round(t_idx, 1),
                      "indexes": len(indexes), "institutions": len(insts), "bytes": os.path.getsize(path)}))


INSERT = (
    "INSERT INTO cases (id, smartphone_id, institution_id, health_center_id, pref_code, name, name_key, furigana, "
    "furigana_key, date_of_birth, phone_digits, phone2_digits, sex, category, status, hc_own_id, residence, filed_at, "
    "created_at, created_by_user_id, updated_at, updated_by_user_id, deleted_at, deleted_by_user_id, filed) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 1)"
)

if __name__ == "__main__":
    main()
