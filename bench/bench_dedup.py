"""Run-wide dedup: pairwise precision and recall on a generated set, and speed.

The set is generated (seeded) from the clean documents of
``bench/data/quality_set.json`` (written for qingxi):

* group A, half of the articles: each original, plus exact copies (spacing,
  punctuation width and case changed: exact after normalization) and near
  copies (2-4% of characters substituted, a sentence dropped or added, a
  promo line appended, two paragraphs swapped);
* group B, the other half: each article once, wrapped in one of three shared
  boilerplate blocks (navigation header and footer, one of them longer than
  most articles).  Group B has no duplicates at all: any merge there is a
  false merge of different articles that share boilerplate.

It prints pairwise precision and recall against the true clusters, the false
merges, fingerprints per second (qingxi vs datasketch's ``MinHash.update_batch``
over the same shingles) and the clustering time for a larger synthetic run.

    .venv/bin/python bench/bench_dedup.py            # about 10 s
    .venv/bin/python bench/bench_dedup.py --scale 50000
"""

from __future__ import annotations

import argparse
import json
import random
import sys
import time
from itertools import combinations
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from cleaners.dedup import DEFAULT, Deduper, _shingles, fingerprint, fingerprints, normalized_codepoints  # noqa: E402

SET = ROOT / "bench" / "data" / "quality_set.json"

HEADERS = [
    "首页 | 新闻 | 财经 | 科技 | 体育 | 娱乐 | 汽车 | 房产\n当前位置：首页 > 新闻中心 > 社会新闻",
    "Home | News | Business | Tech | Sport | Culture\nYou are here: Home > News",
    "登录 注册 | 手机版 | 客户端下载\n热门搜索：天气 地铁 高考 房价 旅游",
]
FOOTERS = [
    "相关阅读\n城市更新进入新阶段 老旧小区改造加速\n地铁新线今日试运行 市民尝鲜\n秋季流感高发 专家提醒接种疫苗\n"
    "版权所有 © 2008-2024 某某新闻网 保留所有权利\n京ICP备12345678号 京公网安备11010502000001号\n"
    "违法和不良信息举报电话：12377 举报邮箱：jubao@example.com",
    "Related stories\nCouncil approves new bike lanes\nLibrary extends weekend hours\n"
    "Copyright 2024 Example News. All rights reserved.\nPrivacy Policy | Terms of Use | Cookie Settings | Contact us",
    "免责声明：本站所有文章、图片、音频视频文件等资料均来自互联网或网友投稿，仅供学习交流使用，版权归原作者所有。"
    "本站不对内容的真实性、准确性和完整性作任何保证，转载本站内容时请注明出处。如有侵犯您的权益，请通过下方联系方式"
    "与我们联系，我们将在收到通知后三个工作日内删除相关内容。\n"
    "关于我们 | 联系我们 | 广告服务 | 合作伙伴 | 网站地图 | 隐私政策 | 用户协议 | 意见反馈 | 招聘信息 | 帮助中心\n"
    "版权所有 © 2010-2024 某某资讯网 All Rights Reserved 沪ICP备87654321号-2 沪公网安备31010402000002号\n"
    "本站郑重提醒：网络交友需谨慎，投资理财有风险，请勿轻信陌生人推荐的任何平台，谨防上当受骗。\n"
    "客服热线：400-800-1234（工作日九点至十八点） 商务合作：bd@example.com 投稿邮箱：tougao@example.com\n"
    "扫描下方二维码，关注我们的官方微信公众号和视频号，获取更多精彩内容和最新活动信息。",
]
FILLERS = ["据悉，相关部门将继续跟进此事。", "Officials said more details would follow.", "记者将持续关注后续进展。"]
PROMO = "点击下方链接关注我们，获取更多精彩内容！"
_PUNCT_SWAP = str.maketrans({"，": ",", "。": ".", "！": "!", "？": "?", "：": ":"})


def _exact_variant(t: str, rng: random.Random) -> str:
    kind = rng.randrange(3)
    if kind == 0:
        return t.translate(_PUNCT_SWAP)
    if kind == 1:
        return "  " + t.replace("\n\n", "\n \n").replace("。", "。 ") + "\n"
    return t.upper() if t.isascii() else t.replace("，", "， ")


def _near_variant(t: str, rng: random.Random, pool: str) -> str:
    kind = rng.randrange(5)
    if kind == 0:   # substitute 2-4% of the characters
        chars = list(t)
        for _ in range(max(1, int(len(chars) * rng.uniform(0.02, 0.04)))):
            i = rng.randrange(len(chars))
            if chars[i] != "\n":
                chars[i] = rng.choice(pool)
        return "".join(chars)
    paras = t.split("\n\n")
    if kind == 1 and len(paras) > 2:   # drop one sentence of the longest paragraph
        k = max(range(len(paras)), key=lambda i: len(paras[i]))
        sents = [s for s in paras[k].replace("。", "。\x00").replace(". ", ". \x00").split("\x00") if s]
        if len(sents) > 1:
            sents.pop(rng.randrange(len(sents)))
            paras[k] = "".join(sents)
        return "\n\n".join(paras)
    if kind == 2:
        return t + "\n\n" + rng.choice(FILLERS)
    if kind == 3:
        return t + "\n" + PROMO
    if len(paras) > 3:   # swap two body paragraphs
        i = rng.randrange(1, len(paras) - 1)
        paras[i], paras[i + 1] = paras[i + 1], paras[i]
        return "\n\n".join(paras)
    return t + "\n\n" + rng.choice(FILLERS)


def build_set(seed: int = 7) -> list[dict]:
    """[{id, truth, group, text}]; ``truth`` names the true cluster."""
    rng = random.Random(seed)
    docs = [d for d in json.loads(SET.read_text(encoding="utf-8"))["documents"] if d["label"] == "good"]
    rng.shuffle(docs)
    half = len(docs) // 2
    pool = "的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会"
    out: list[dict] = []
    for d in docs[:half]:
        t = d["text"]
        out.append({"id": d["id"], "truth": d["id"], "group": "A", "text": t})
        for k in range(rng.randrange(0, 2)):
            out.append({"id": f"{d['id']}~exact{k}", "truth": d["id"], "group": "A", "text": _exact_variant(t, rng)})
        for k in range(rng.randrange(1, 3)):
            out.append({"id": f"{d['id']}~near{k}", "truth": d["id"], "group": "A",
                        "text": _near_variant(t, rng, pool)})
    for i, d in enumerate(docs[half:]):
        b = i % len(HEADERS)
        out.append({"id": d["id"], "truth": d["id"], "group": "B",
                    "text": HEADERS[b] + "\n\n" + d["text"] + "\n\n" + FOOTERS[b]})
    return out


def pair_scores(docs: list[dict], groups: list[list[int]]) -> dict:
    truth = [d["truth"] for d in docs]
    pred_pairs = {(a, b) for g in groups for a, b in combinations(sorted(g), 2)}
    by_truth: dict[str, list[int]] = {}
    for i, t in enumerate(truth):
        by_truth.setdefault(t, []).append(i)
    true_pairs = {(a, b) for g in by_truth.values() for a, b in combinations(sorted(g), 2)}
    tp = len(pred_pairs & true_pairs)
    false = sorted(pred_pairs - true_pairs)
    missed = sorted(true_pairs - pred_pairs)

    def kind_recall(tag: str) -> float:
        pairs = [(a, b) for a, b in true_pairs
                 if (tag in docs[a]["id"]) != (tag in docs[b]["id"]) and "~" not in docs[a]["id"] + docs[b]["id"]
                 .replace(tag, "")]
        return round(sum(1 for p in pairs if p in pred_pairs) / max(len(pairs), 1), 4)
    return {
        "documents": len(docs), "true_pairs": len(true_pairs), "found_pairs": len(pred_pairs),
        "precision": round(tp / max(len(pred_pairs), 1), 4), "recall": round(tp / max(len(true_pairs), 1), 4),
        "recall_exact_copies": kind_recall("~exact"), "recall_near_copies": kind_recall("~near"),
        "false_merges": [(docs[a]["id"], docs[b]["id"]) for a, b in false],
        "false_merges_group_B": sum(1 for a, b in false if docs[a]["group"] == "B" and docs[b]["group"] == "B"),
        "missed": [(docs[a]["id"], docs[b]["id"]) for a, b in missed],
    }


def speed(docs: list[dict]) -> dict:
    texts = [d["text"] for d in docs] * 5
    t0 = time.perf_counter()
    for t in texts:
        fingerprint(t)
    ours = len(texts) / (time.perf_counter() - t0)
    # in batches of about 64K characters, as clean_shard computes them (flows.runner.DEDUP_BATCH_CHARS)
    batches: list[list[str]] = [[]]
    size = 0
    for t in texts:
        batches[-1].append(t)
        size += len(t)
        if size >= 1 << 16:
            batches.append([])
            size = 0
    t0 = time.perf_counter()
    for batch in batches:
        fingerprints(batch)
    batched = len(texts) / (time.perf_counter() - t0)
    out = {"fingerprints_per_s": round(ours, 1), "batched_fingerprints_per_s": round(batched, 1),
           "avg_chars": sum(map(len, texts)) // len(texts)}
    try:
        from datasketch import MinHash
    except ImportError:  # pragma: no cover
        return out
    shingles = [[int(x).to_bytes(8, "little") for x in _shingles(*normalized_codepoints(t), DEFAULT)]
                for t in texts[: len(docs)]]
    t0 = time.perf_counter()
    for sh in shingles:
        m = MinHash(num_perm=DEFAULT.num_perm)
        m.update_batch(sh)
    out["datasketch_update_batch_per_s"] = round(len(shingles) / (time.perf_counter() - t0), 1)
    return out


def scale(n: int, seed: int = 3) -> dict:
    """Clustering time for ``n`` synthetic documents (10% near copies)."""
    rng = random.Random(seed)
    chars = ("的一是了我不人在他有这个上们来到时大地为子中你说生国年着就那和要她出也得里后自以会家可下而过天去能对"
             "小多然于心学么之都好看起发当没成只如事把还用第样道想作种开美总从无情己面最女但现前些所同日手又行意动"
             "方期它头经长儿回位分爱老因很给名法间斯知世什两次使身者被高已亲其进此话常与活正感")
    d = Deduper()
    base: list[str] = []
    texts: list[str] = []
    for _ in range(n):
        if base and rng.random() < 0.1:
            t = list(rng.choice(base))
            for _ in range(5):
                t[rng.randrange(len(t))] = rng.choice(chars)
            text = "".join(t)
        else:
            text = "".join(rng.choice(chars) for _ in range(rng.randint(200, 600)))
            base.append(text)
        texts.append(text)
    t0 = time.perf_counter()
    for i, text in enumerate(texts):
        d.add(f"s{i}", text, quality=rng.random(), order=i)
    t1 = time.perf_counter()
    mapping = d.clusters()
    t2 = time.perf_counter()
    return {"documents": n, "fingerprint_s": round(t1 - t0, 2), "cluster_s": round(t2 - t1, 2),
            "duplicates": len(mapping)}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--scale", type=int, default=10_000, help="documents in the clustering-time run")
    ap.add_argument("--threshold", type=float, default=None, help="override DedupParams.threshold")
    ap.add_argument("--json", help="also write the report here")
    args = ap.parse_args()
    docs = build_set()
    params = DEFAULT if args.threshold is None else DEFAULT.__class__(threshold=args.threshold)
    d = Deduper(params)
    for i, doc in enumerate(docs):
        d.add(doc["id"], doc["text"], quality=0.5, order=i)
    rep = {"params": params.as_dict(), **pair_scores(docs, d.groups()), **speed(docs), "scale": scale(args.scale)}
    print(f"{rep['documents']} documents, {rep['true_pairs']} true duplicate pairs, {rep['found_pairs']} found")
    print(f"pairwise precision {rep['precision']}, recall {rep['recall']} (original vs exact copy "
          f"{rep['recall_exact_copies']}, original vs near copy {rep['recall_near_copies']})")
    print(f"false merges: {len(rep['false_merges'])} (between shared-boilerplate articles: "
          f"{rep['false_merges_group_B']})")
    for a, b in rep["false_merges"][:10]:
        print(f"  merged {a} + {b}")
    for a, b in rep["missed"][:10]:
        print(f"  missed {a} + {b}")
    print(f"fingerprints: {rep['fingerprints_per_s']}/s one at a time, {rep['batched_fingerprints_per_s']}/s in "
          f"batches of 64K characters (avg {rep['avg_chars']} chars); "
          f"datasketch update_batch on the same shingles: {rep.get('datasketch_update_batch_per_s')}/s")
    s = rep["scale"]
    print(f"scale: {s['documents']} documents, fingerprints {s['fingerprint_s']} s, clusters {s['cluster_s']} s, "
          f"{s['duplicates']} duplicates")
    if args.json:
        Path(args.json).write_text(json.dumps(rep, ensure_ascii=False, indent=1), encoding="utf-8")


if __name__ == "__main__":
    main()
