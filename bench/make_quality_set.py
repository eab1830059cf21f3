"""Build ``bench/data/quality_set.json``, the labelled set the quality score is calibrated on.

Good documents are written by hand for qingxi (``bench/data/quality_texts_*.txt``;
the Traditional set is written in Simplified and converted once with OpenCC
``s2twp``).  Bad documents are composed here from small hand-written pools
with a seeded generator, so the set is reproducible and its composition is
visible in one file:

* ``seo``: keyword-stuffed landing pages (city + service keywords, "哪家好",
  "related searches" blocks), Chinese and English;
* ``gambling`` and ``adult``: promotion pages (register bonuses, contact ids,
  ever-changing URLs; adult ads in non-explicit wording);
* ``navigation``: menus, breadcrumbs, pagers and tag clouds only;
* ``boilerplate``: copyright, licence numbers, disclaimers, contact and
  follow-us lines only;
* ``repeated``: machine repetition (one sentence or paragraph many times, an
  article pasted several times, slot-filled template sentences);
* ``garbled``: clean articles with damage no repair can undo (U+FFFD,
  锟斤拷, private-use code points); repairable mojibake is not bad text once
  the ``mojibake`` step has run, so it is not in the set.

``hard_good`` and ``hard_bad`` (``bench/data/quality_texts_hard.txt``) hold the
awkward shapes written after the score was first calibrated, to keep it
honest: poems, lyrics, classical Chinese, result tables, code, chat logs,
hard-wrapped books (good) against fluent gambling and adult ads, spun SEO
articles, weather and stock pages, word salad, login walls (bad).

    .venv/bin/python bench/make_quality_set.py     # rewrites bench/data/quality_set.json
"""

from __future__ import annotations

import json
import random
from pathlib import Path

HERE = Path(__file__).resolve().parent
OUT = HERE / "data" / "quality_set.json"


def read_texts(name: str) -> list[str]:
    raw = (HERE / "data" / name).read_text(encoding="utf-8")
    parts = raw.split("\n---\n")[1:]
    return [p.strip("\n") for p in parts if p.strip()]


CITIES = ["北京", "上海", "广州", "深圳", "成都", "杭州", "武汉", "西安", "南京", "重庆", "天津", "苏州"]
SERVICES = ["装修公司", "搬家公司", "英语培训", "二手车回收", "网站建设", "代理记账", "月嫂服务", "驾校报名",
            "空调维修", "开锁换锁", "心理咨询", "律师事务所", "植发医院", "留学中介"]
SEO_TAILS = ["哪家好", "价格", "多少钱", "排名", "电话", "推荐", "收费标准", "口碑最好", "十大品牌", "官网", "附近"]
EN_KEYWORDS = ["cheap flights", "payday loans", "weight loss pills", "car insurance quotes", "replica watches",
               "seo services", "web hosting deals", "cheap essays"]
EN_TAILS = ["best", "cheap", "online", "near me", "discount", "free", "top 10", "2024", "reviews", "buy"]

GAMBLE_BRANDS = ["金沙娱乐城", "威尼斯人", "新葡京", "太阳城集团", "皇冠体育", "永利国际", "银河娱乐", "大发彩票"]
GAMBLE_LINES = [
    "{b}官网注册就送{n}元彩金，首存再送{p}%",
    "百家乐 真人视讯 老虎机 体育投注 时时彩 北京赛车",
    "信誉第一 提款秒到账 24小时在线客服",
    "最新网址：www.{d}{n}.com 请牢记本站域名",
    "加微信：{w} 领取每日返水",
    "{b}，亚洲最大的线上娱乐平台，千万玩家的共同选择！",
    "充值即送{n}元，天天有惊喜，赢钱就是这么简单",
    "手机下载{b}APP，注册送{n}，流水{p}倍即可提现",
    "真人荷官在线发牌，公平公正公开",
    "六合彩 特码 资料大全 今晚开奖结果",
]
ADULT_LINES = [
    "同城约会 附近美女在线聊天 {n}人正在线",
    "成人视频免费观看 高清无码 每日更新",
    "点击进入 免费注册会员 立即观看",
    "午夜影院 深夜福利 在线播放 无需下载",
    "加微信 {w} 看更多精彩内容",
    "{c}同城交友 一夜情 上门服务 快速约见",
    "最新地址 www.{d}{n}.net 收藏不迷路",
    "热门推荐：国产 日韩 欧美 动漫",
    "VIP会员 {n}元 永久观看全部资源",
    "寂寞了吗？附近的她正在等你",
]
NAV_ITEMS = ["首页", "新闻", "体育", "财经", "娱乐", "科技", "汽车", "房产", "教育", "旅游", "健康", "时尚",
             "视频", "图片", "论坛", "博客", "专题", "社会", "国际", "军事"]
EN_NAV = ["Home", "About", "Products", "Services", "Blog", "News", "Contact", "Careers", "Support", "Pricing",
          "Login", "Sign up", "FAQ", "Privacy", "Terms", "Sitemap"]
BOILER_LINES = [
    "版权所有 © 2008-2024 {s} All Rights Reserved",
    "京ICP备{n8}号-1 京公网安备{n11}号",
    "免责声明：本站部分内容来源于互联网，如有侵权请联系删除。",
    "本站所有文章仅代表作者观点，不代表本站立场。",
    "联系电话：010-{n8} 邮箱：service@{d}.com",
    "扫描二维码关注我们的微信公众号",
    "未经授权禁止转载、摘编、复制或建立镜像",
    "违法和不良信息举报电话：12377",
    "关于我们 | 联系我们 | 广告服务 | 网站地图 | 隐私政策",
    "增值电信业务经营许可证：京B2-{n8}",
    "地址：{c}市某某区某某路{n2}号 邮编：{n6}",
    "网络文化经营许可证 京网文〔2024〕{n4}号",
]
EN_BOILER = [
    "Copyright © 2024 {s}. All rights reserved.",
    "We use cookies to improve your experience. By continuing you accept our Cookie Policy.",
    "Privacy Policy | Terms of Use | Accessibility | Sitemap",
    "Follow us on social media",
    "Subscribe to our newsletter for the latest updates.",
    "Contact: info@{d}.com | Tel: +1 555 {n4}",
]
REPEAT_SENTENCES = [
    "本店商品质量保证，欢迎新老顾客光临选购。",
    "这是一段测试文字，用于检查页面显示效果。",
    "点击下方链接获取更多信息，感谢您的支持。",
    "Our products are the best quality at the best price.",
    "该内容正在审核中，请稍后再来查看。",
]
SLOT_TEMPLATES = [
    "{c}{s}哪家好？{c}{s}推荐{b}，{c}{s}价格实惠，{c}{s}服务周到。",
    "{c}的{s}很多，但是{c}最好的{s}是{b}。",
]


def _n(rng: random.Random, k: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(k))


def _dom(rng: random.Random) -> str:
    return "".join(rng.choice("abcdefghjkmnpqrstuvwxyz") for _ in range(rng.randint(3, 6)))


def _wx(rng: random.Random) -> str:
    return rng.choice(["vip", "kf", "ab", "xx"]) + _n(rng, rng.randint(4, 7))


def seo_zh(rng: random.Random) -> str:
    c, s = rng.choice(CITIES), rng.choice(SERVICES)
    kw = f"{c}{s}"
    lines = [f"【{kw}】{kw}哪家好_{kw}价格_{s}排名"]
    for _ in range(rng.randint(4, 9)):
        t = rng.sample(SEO_TAILS, 3)
        lines.append(f"{kw}{t[0]}，{kw}{t[1]}，专业{s}就选{rng.choice(['金牌', '诚信', '老牌', '品质'])}{s}！{s}{t[2]}")
    if rng.random() < 0.6:
        lines.append(f"我们是一家专业的{s}，拥有多年经验，服务覆盖{c}各区，{kw}就找我们。")
    lines.append("相关搜索：" + " ".join(f"{rng.choice(CITIES)}{s}{rng.choice(SEO_TAILS)}" for _ in range(8)))
    lines.append(f"{s}热线：400-{_n(rng, 3)}-{_n(rng, 4)}")
    return "\n".join(lines)


def seo_en(rng: random.Random) -> str:
    kw = rng.choice(EN_KEYWORDS)
    lines = [f"{kw.title()} | {rng.choice(EN_TAILS).title()} {kw.title()} | {kw.title()} Online"]
    for _ in range(rng.randint(5, 9)):
        a, b = rng.sample(EN_TAILS, 2)
        lines.append(f"{a} {kw}, {b} {kw}, {kw} {rng.choice(EN_TAILS)}. Get {kw} now!")
    lines.append("Related searches: " + ", ".join(f"{rng.choice(EN_TAILS)} {kw}" for _ in range(8)))
    return "\n".join(lines)


def _fill(rng: random.Random, line: str) -> str:
    return line.format(b=rng.choice(GAMBLE_BRANDS), n=rng.choice([18, 38, 58, 88, 100, 188, 888]),
                       p=rng.choice([10, 20, 50, 100]), d=_dom(rng), w=_wx(rng), c=rng.choice(CITIES),
                       s=rng.choice(["某某网", "新闻网", "资讯网", "信息港"]), n2=_n(rng, 2), n4=_n(rng, 4),
                       n6=_n(rng, 6), n8=_n(rng, 8), n11=_n(rng, 11))


def gambling(rng: random.Random) -> str:
    lines = [_fill(rng, rng.choice(GAMBLE_LINES)) for _ in range(rng.randint(5, 12))]
    return "\n".join(lines)


def adult(rng: random.Random) -> str:
    lines = [_fill(rng, rng.choice(ADULT_LINES)) for _ in range(rng.randint(5, 12))]
    return "\n".join(lines)


def navigation(rng: random.Random) -> str:
    en = rng.random() < 0.25
    items = EN_NAV if en else NAV_ITEMS
    sep = rng.choice([" | ", "  ", " · ", "\n"])
    lines = [sep.join(rng.sample(items, rng.randint(6, 12)))]
    if not en:
        lines.append(f"当前位置：首页 > {rng.choice(NAV_ITEMS)} > {rng.choice(NAV_ITEMS)}频道")
        lines.append("上一页 1 2 3 4 5 6 ... " + str(rng.randint(20, 99)) + " 下一页 尾页")
        lines.append("热门标签：" + " ".join(rng.sample(NAV_ITEMS, 8)))
        lines.append("登录 | 注册 | 帮助中心 | 手机版")
    else:
        lines.append(f"Home > {rng.choice(EN_NAV)} > {rng.choice(EN_NAV)}")
        lines.append("« Previous 1 2 3 4 5 … Next »")
        lines.append("Tags: " + ", ".join(rng.sample(EN_NAV, 6)))
    lines.append(sep.join(rng.sample(items, rng.randint(5, 10))))
    rng.shuffle(lines)
    return "\n".join(lines)


def boilerplate(rng: random.Random) -> str:
    en = rng.random() < 0.25
    pool = EN_BOILER if en else BOILER_LINES
    lines = [_fill(rng, line) for line in rng.sample(pool, min(len(pool), rng.randint(4, 8)))]
    return "\n".join(lines)


def repeated(rng: random.Random, articles: list[str]) -> str:
    kind = rng.randrange(4)
    if kind == 0:
        return "\n".join([rng.choice(REPEAT_SENTENCES)] * rng.randint(10, 40))
    if kind == 1:
        para = rng.choice(articles).split("\n\n")[1]
        return "\n\n".join([para] * rng.randint(4, 8))
    if kind == 2:
        art = rng.choice(articles)
        return "\n\n".join([art] * rng.randint(3, 5))
    tpl = rng.choice(SLOT_TEMPLATES)
    s = rng.choice(SERVICES)
    return "\n".join(tpl.format(c=rng.choice(CITIES), s=s, b=rng.choice(["金牌", "诚信", "品质"]) + s)
                     for _ in range(rng.randint(8, 20)))


def garbled(rng: random.Random, articles: list[str]) -> str:
    art = rng.choice(articles)
    kind = rng.randrange(3)
    if kind == 0:   # every few characters lost to U+FFFD
        return "".join("\ufffd" if ch not in "\n" and rng.random() < 0.3 else ch for ch in art)
    if kind == 1:   # the classic GBK round trip of U+FFFD
        cut = [art[i:i + 12] for i in range(0, len(art), 12)]
        return "锟斤拷".join(cut)
    # characters a legacy decoder mapped to the private use area (font-specific code points)
    return "".join(chr(0xE000 + rng.randrange(0x800)) if "\u4e00" <= ch <= "\u9fff" and rng.random() < 0.25
                   else ch for ch in art)


def build() -> list[dict[str, str]]:
    import opencc

    rng = random.Random(20240611)
    hans = read_texts("quality_texts_zh.txt")
    hant = [opencc.OpenCC("s2twp").convert(t) for t in read_texts("quality_texts_hant_src.txt")]
    en = read_texts("quality_texts_en.txt")
    ja = read_texts("quality_texts_ja.txt")
    tr = read_texts("quality_texts_transcripts.txt")
    rows: list[dict[str, str]] = []

    def add(cls: str, label: str, lang: str, texts: list[str]) -> None:
        for i, t in enumerate(texts):
            rows.append({"id": f"{cls}-{i:02d}", "class": cls, "label": label, "lang": lang, "text": t})

    add("article_zh_hans", "good", "zh-Hans", hans)
    add("article_zh_hant", "good", "zh-Hant", hant)
    add("article_en", "good", "en", en)
    add("article_ja", "good", "ja", ja)
    add("transcript", "good", "mixed", tr)
    add("seo", "bad", "mixed", [seo_zh(rng) for _ in range(13)] + [seo_en(rng) for _ in range(5)])
    add("gambling", "bad", "zh-Hans", [gambling(rng) for _ in range(16)])
    add("adult", "bad", "zh-Hans", [adult(rng) for _ in range(16)])
    add("navigation", "bad", "mixed", [navigation(rng) for _ in range(16)])
    add("boilerplate", "bad", "mixed", [boilerplate(rng) for _ in range(16)])
    add("repeated", "bad", "mixed", [repeated(rng, hans + hant) for _ in range(16)])
    add("garbled", "bad", "zh-Hans", [garbled(rng, hans) for _ in range(12)])
    for i, t in enumerate(read_texts("quality_texts_hard.txt")):
        head, body = t.split("\n", 1)
        label, kind = (x.strip() for x in head.split(":", 1))
        rows.append({"id": f"hard_{label}-{i:02d}-{kind}", "class": f"hard_{label}", "label": label,
                     "lang": "mixed", "text": body})
    return rows


def main() -> None:
    rows = build()
    OUT.write_text(json.dumps({"_about": __doc__.split("\n\n")[0], "documents": rows},
                              ensure_ascii=False, indent=1) + "\n", encoding="utf-8")
    counts: dict[str, int] = {}
    for r in rows:
        counts[r["class"]] = counts.get(r["class"], 0) + 1
    print(f"wrote {OUT} ({len(rows)} documents): {counts}")


if __name__ == "__main__":
    main()
