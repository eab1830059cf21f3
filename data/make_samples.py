"""Write data/samples/: short documents we wrote ourselves, clean and damaged.

Every damaged sample is made from a clean text in this file with Python's own
codecs (see ../shared/guide/damage.md for the kinds), so the damage is exactly
reproducible.  Run ``python data/make_samples.py`` to regenerate; the files are
committed so a fresh clone has them.
"""

from __future__ import annotations

import gzip
import json
from pathlib import Path

HERE = Path(__file__).resolve().parent / "samples"

NEWS_HANS = """城市更新进入新阶段：老旧小区改造今年计划开工五万个

记者从住房和城乡建设部门了解到，今年全国计划新开工改造城镇老旧小区五万个以上，重点解决加装电梯、管网老化和停车难等问题。

多地在推进改造时采取“居民点单、政府派单”的方式，先征求住户意见，再确定改造清单。一位参与项目的工程师说，过去改造常常是“一刀切”，现在更注重每个小区的实际需求。

业内人士指出，老旧小区改造不仅改善了居住条件，也带动了建材、家电和社区服务等消费。专家建议，下一步应完善长效管理机制，避免“重建设、轻管理”。
"""

NEWS_HANT = """颱風過後 農民搶收高麗菜

受颱風影響，中部山區連日豪雨，部分菜園遭土石掩埋。農民趁著天氣轉晴，一早就上山搶收高麗菜，希望減少損失。

農業部門表示，目前蔬菜價格短期內可能上漲，但隨著各地產區恢復供貨，預計兩週後價格會逐漸回穩。民眾不必過度囤貨。

一位在山上種菜三十年的農民說，這幾年極端天氣越來越頻繁，他已經開始嘗試設置防護網，並和鄰近農戶合作調度人力。
"""

ENGLISH = """Library extends weekend hours after record summer attendance

The central library will stay open until 9 p.m. on Saturdays starting next month, after visitor numbers over the summer reached their highest level in a decade.

Staff said the reading rooms were often full by mid-afternoon, and that students preparing for exams asked for longer hours. The extra evening shifts will be covered by part-time staff and volunteers.

The library also plans to add more power outlets and quiet study booths on the second floor before the winter term begins.
"""

JAPANESE = """駅前商店街に新しい図書コーナーが開設

市は今月、駅前商店街の空き店舗を活用して、誰でも自由に本を読める図書コーナーを開設した。地域の住民から寄贈された絵本や小説など約二千冊が並んでいる。

運営を担当するボランティア団体の代表は「買い物のついでに気軽に立ち寄ってほしい」と話している。週末には子ども向けの読み聞かせ会も予定されている。
"""

TRANSCRIPT = """大家好，欢迎回到我们的节目
今天我们来聊一聊
家里的老人怎么用智能手机
很多朋友跟我反映
父母总是记不住密码
也不太会用视频通话
其实有几个小办法
第一是把常用的应用放在首页
第二是把字体调大一点
第三是多陪他们练习几次
慢慢就熟悉了
好了今天就聊到这里
我们下期再见
"""

# Traditional text as published by a site that glued pinyin after converted characters.
PINYIN_GLUED = """深圳一家科技企業(yè)今天發(fā)布了新一代服務器,宣稱在能耗上比上一代降低三成。
該公司負責人表示,新產(chǎn)品採用了自研的散熱設計,並與多家數(shù)據(jù)中心建立了聯(lián)合測試機制。
分析人士認為,隨著算力需求增長,節(jié)能將成為數(shù)據(jù)中心競爭的關鍵。
本文作者 | 小周
審校 | 阿梅
編輯/出品 | 科技觀察頻道(未經(jīng)允許,禁止轉載)
特別聲明:以上內容(如有圖片或視頻亦包括在內)為自媒體平臺用戶上傳並發(fā)布,本平臺僅提供信息存儲服務。
"""

PROMO_TAIL = """新能源汽车下乡活动启动 首批覆盖二十个县

商务部门近日启动新一轮新能源汽车下乡活动，首批活动将在二十个县举办，车企将提供专门针对农村道路的车型和售后服务。

有经销商表示，农村消费者最关心的是充电是否方便。为此，多地计划在乡镇加快建设公共充电桩，并鼓励在村委会和集市附近设点。

业内人士认为，农村市场潜力大，但需要在价格、续航和维修网点上下更多功夫。
小说：重生之我在县城开车行，从一辆三轮车开始……
完结：替嫁王妃不好惹，王爷天天求原谅……
"""

AD_HEAD = """神魔大陆今天上线！登录即送十连抽，点击查看！【神魔大陆必看系列】
秋季养生：专家提醒注意早晚温差

入秋以后昼夜温差加大，医生提醒，老人和儿童要注意及时增减衣物，早晚外出可以多带一件外套。

饮食上，可以适当多吃梨、百合、银耳等润燥的食物，少吃辛辣。专家还建议保持规律作息，每天进行适量的户外活动。
"""

ENTITIES = """市图书馆举办&ldquo;阅读月&rdquo;活动</p><p>本次活动包括讲座、读书分享会和旧书交换，市民可以通过官方网站&amp;nbsp;免费报名。<br/>
主办方表示，\u200b希望借助活动让更多年轻人走进图书馆。&nbsp;活动持续到月底。
"""

MARKDOWN = """---
title: "周末徒步路线推荐"
date: 2025-09-06
tags:
  - "户外"
  - "徒步"
summary: "三条适合新手的城市周边徒步路线。"
---

## 路线一：环湖步道

全程约八公里，**坡度平缓**，适合带孩子的家庭。沿途有多个休息点和补水站。

## 路线二：古道穿越

* 全程约十二公里
* 需要准备登山杖
* 建议早上八点前出发

![](/images/route2.png)

更多信息可以查看[景区官网](https://example.com/park)的公告。
"""

MOJIBAKE_SOURCE = "曙光存储副总裁张新凤表示，数据中心的能耗问题日益突出。"

ENGLISH_LATIN1 = "The caf\u00e9 on Main Street re\u00f6pened on Monday \u2014 \u201cwe\u2019re back,\u201d the owner said, after a two-month renovation that added a small bakery counter."


def gbk_as_utf8_mojibake(s: str) -> str:
    """UTF-8 bytes read as GBK (the decoder replaces what it cannot pair)."""
    return s.encode("utf-8").decode("gb18030", errors="replace")


def main() -> None:
    HERE.mkdir(parents=True, exist_ok=True)
    w = lambda name, text, enc="utf-8": (HERE / name).write_bytes(text.encode(enc))  # noqa: E731
    w("01_news_hans.txt", NEWS_HANS)
    w("02_news_hant.txt", NEWS_HANT)
    w("03_english.txt", ENGLISH)
    w("04_japanese.txt", JAPANESE)
    w("05_transcript.txt", TRANSCRIPT)
    w("06_pinyin_glued_hant.txt", PINYIN_GLUED)
    w("07_promo_tail.txt", PROMO_TAIL)
    w("08_ad_head.txt", AD_HEAD)
    w("09_entities_tags.txt", ENTITIES)
    w("10_front_matter.md", MARKDOWN)
    # UTF-8 read as GBK, then saved as UTF-8: the classic 鏇欏厜 damage
    w("11_utf8_read_as_gbk.txt", "数据中心能耗调查\n\n" + gbk_as_utf8_mojibake(MOJIBAKE_SOURCE)
      + "\n\n记者走访了三家数据中心，发现制冷用电占到总用电量的四成左右。\n")
    # GBK bytes read as Latin-1, saved as UTF-8
    w("12_gbk_read_as_latin1.txt", MOJIBAKE_SOURCE.encode("gbk").decode("latin-1")
      + "\n记者走访了三家数据中心，发现制冷用电占到总用电量的四成左右。\n")
    # UTF-8 read as cp1252: ftfy's home ground
    w("13_english_cp1252_mojibake.txt", ENGLISH_LATIN1.encode("utf-8").decode("cp1252", errors="replace") + "\n")
    # a file saved as GBK with no declaration: the reader must detect it
    w("14_gbk_encoded.txt", NEWS_HANS, enc="gbk")
    w("15_big5_encoded.txt", NEWS_HANT, enc="big5")
    (HERE / "16_empty.txt").write_bytes(b"")
    records = [
        {"id": "r1", "url": "https://news.example.cn/a/1", "text": NEWS_HANS},
        {"id": "r2", "url": "https://news.example.tw/b/2", "text": NEWS_HANT},
        {"id": "r3", "text": PROMO_TAIL},
        {"id": "r4"},  # no text: rejected invalid_record
        {"id": "r5", "text": 42},  # not a string: rejected invalid_record
        {"id": "r6", "text": "太短"},  # too short
        {"id": "r7", "text": NEWS_HANS},  # an exact duplicate of r1
    ]
    lines = [json.dumps(r, ensure_ascii=False) for r in records]
    lines.insert(4, "{this line is not JSON")
    with open(HERE / "17_records.jsonl.gz", "wb") as raw, \
            gzip.GzipFile(fileobj=raw, mode="wb", mtime=0, filename="") as fh:
        fh.write(("\n".join(lines) + "\n").encode("utf-8"))
    html = (
        "<!DOCTYPE html><html lang=\"zh-CN\"><head><meta charset=\"gbk\"><title>社区食堂开业 老人吃饭更方便</title>"
        "<link rel=\"canonical\" href=\"https://city.example.cn/news/2025/canteen.html\">"
        "<meta property=\"article:published_time\" content=\"2025-10-08T09:30:00+08:00\"></head><body>"
        "<div class=\"nav\"><a href=\"/\">首页</a> | <a href=\"/news\">新闻</a> | <a href=\"/video\">视频</a></div>"
        "<div class=\"article\"><h1>社区食堂开业 老人吃饭更方便</h1>"
        "<p>本报讯 城东街道首家社区食堂昨天正式开业，六十岁以上老人凭证就餐可享受八折优惠。</p>"
        "<p>食堂每天提供早中晚三餐，菜品以清淡为主，并专门准备了软食和低盐套餐。街道负责人介绍，食堂由专业餐饮公司运营，"
        "价格和菜单每月向居民公示。</p><p>不少老人表示，以前自己做饭费时费力，现在下楼就能吃上热乎饭菜。</p></div>"
        "<div class=\"share\">分享到：微信 微博 QQ空间</div>"
        "<div class=\"related\"><h3>相关阅读</h3><ul><li><a href=\"/n/1\">社区养老服务中心启用</a></li>"
        "<li><a href=\"/n/2\">老年大学秋季班开始报名</a></li></ul></div>"
        "<div class=\"footer\">版权所有 城市新闻网 备案号：京ICP备00000000号</div></body></html>"
    )
    (HERE / "18_news_page_gbk.html").write_bytes(html.encode("gbk"))


if __name__ == "__main__":
    main()
