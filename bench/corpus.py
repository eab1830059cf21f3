"""A seeded generator of a realistic mixed web-text corpus for the benchmarks.

The mix follows issue 9: 70% Simplified Chinese, 15% Traditional Chinese, 10%
English, 5% other (Japanese, Korean, Russian); 300-5,000 characters per
document, drawn log-uniformly (so most documents are short, as on the web:
about 1,800 characters and 4.8 KB of UTF-8 on average); about a fifth of the documents
damaged, each with one or two of:

``utf8_as_gbk``      a run of UTF-8 text decoded as GBK (鏁版嵁 for 数据)
``gbk_as_latin1``    a run of GBK text decoded as Latin-1 (ÖÐÎÄ for 中文)
``cp1252``           a run of UTF-8 text decoded as Windows-1252 (ä¸­æ–‡, itâ€™s)
``html``             entities (&nbsp; &amp;quot; &#12290;) and stray tags
``pinyin``           pinyin glued after words or characters (发展(fā zhǎn), 联(lián))
``promo``            a web-novel promotion trailer
``disclaimer``       a disclaimer / reprint notice at the head or the tail

and about 2% are exact duplicates of an earlier document (a new id, the same
text), so deduplicators have something to do.

Every sentence is composed word by word by a small grammar per language from
vocabulary written for this file (no third-party text): a dozen sentence
patterns over a few hundred short words, so long documents do not repeat
10-character runs more than real text does (quality scorers count repeated
n-grams).  The text is plausible-looking, not meaningful; it compresses better
than real web text (a smaller vocabulary), so Parquet writing is cheaper here
than on real data.  Traditional documents are Simplified documents converted
with OpenCC (s2twp, or s2hk for about 30%: Hong Kong forms such as 説).
Document ``i`` depends only on ``(seed, i)``: the same seed gives the same
bytes whatever the output format, file split or ``--docs``.

Output folder layout (``--formats``, default all three)::

    OUT/corpus.json               counts by language and damage, bytes, seed
    OUT/jsonl/part-00000.jsonl    {"id", "text", "lang_truth", "damage"} per line
    OUT/txt/000/000123.txt        one document per file (UTF-8)
    OUT/html/000/000123.html      the document inside a page with nav/aside/footer chrome

Usage::

    .venv/bin/python bench/corpus.py bench/out/corpus --docs 2000 --seed 7
    .venv/bin/python bench/corpus.py bench/out/big --size-mb 1024 --formats jsonl --file-mb 64
"""

# Vocabulary lists are written as "a b c".split() to stay readable.
# ruff: noqa: SIM905

from __future__ import annotations

import argparse
import html as html_lib
import json
import math
import random
import sys
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path

GENERATOR_VERSION = 1

MIX = (("zh-Hans", 0.70), ("zh-Hant", 0.15), ("en", 0.10), ("other", 0.05))
OTHER_MIX = (("ja", 0.5), ("ko", 0.35), ("ru", 0.15))
MIN_CHARS, MAX_CHARS = 300, 5000
DAMAGE_RATE = 0.20
DUP_RATE = 0.02

# ---------------------------------------------------------------------------
# Simplified Chinese: a small word-level grammar (vocabulary written for this file)
#
# Sentences are composed word by word from short words, so a long document does
# not repeat 10-character runs more than real text does (quality scorers count
# repeated n-grams; whole-sentence pools would make every long document "spam").
# ---------------------------------------------------------------------------

ZH_PERSON = (
    "老王 小李 张老师 刘医生 王阿姨 陈师傅 记者 专家 居民 游客 学生 家长 工人 农民 司机 "
    "厨师 店主 志愿者 工程师 护士 邻居 同事 表哥 村民 作者 读者 网友 市民 主任 经理 年轻人 "
    "老人 孩子们 员工 律师 画家 教练 队员 房东 快递员 校长 会计 设计师 摄影师 导游 保安 "
    "服务员 科学家 程序员 演员 歌手 老板 秘书 邮递员 木匠 渔民 牧民"
).split()
ZH_ORG = (
    "公司 学校 医院 银行 超市 工厂 政府 社区 图书馆 博物馆 合作社 物业 餐馆 书店 车站 "
    "电视台 报社 研究所 幼儿园 体育馆 派出所 邮局 电影院 菜市场 大学 药店 酒店 机场 码头 "
    "农场 茶馆 面馆 健身房 加油站 养老院 出版社"
).split()
ZH_ADJ = (
    "新 旧 大 小 便宜 干净 热闹 安静 漂亮 简单 复杂 重要 普通 特别 传统 现代 年轻 有名 "
    "方便 危险 舒服 奇怪 紧张 轻松 明亮 狭窄 宽敞 古老 新鲜 昂贵 温暖 寒冷 潮湿 干燥 整齐 "
    "破旧 结实 精致 粗糙 稳定 灵活 安全 健康 丰富"
).split()
ZH_NOUN = (
    "房子 汽车 手机 电脑 书 照片 地图 计划 报告 问题 办法 机会 消息 故事 节目 课程 比赛 "
    "活动 会议 市场 道路 桥 公园 河 山 树 花 菜 水果 衣服 鞋 票 工资 价格 天气 空气 "
    "声音 颜色 味道 习惯 政策 规定 设备 系统 软件 网站 视频 文章 合同 项目 产品 服务 环境 "
    "文化 历史 经验 技术 材料 窗户 院子 厨房 桌子 椅子 自行车 雨伞 钥匙 信 杂志 报纸 电影 "
    "音乐 游戏 面包 米饭 咖啡 茶 蛋糕 灯 楼梯 电梯 广场 街道 小区 田地 果园 鱼塘 仓库 "
    "工具 质量 图书 时间 工作 生活 效果 意见 发展 老街"
).split()
ZH_VERB = (
    "买 卖 看 写 修 找 送 拿 带 讨论 研究 参观 介绍 准备 检查 调整 改进 发布 推出 完成 "
    "组织 举办 支持 反对 关注 记录 整理 打扫 设计 建设 保护 学习 租 换 收到 发现 提出 "
    "解决 安排 申请 采访 分享 拍 做 种 养 喝 吃 洗 借 还 搬 装 挂 画 唱 翻译 计算 "
    "测量 比较 选择 决定 接受 拒绝 感谢 批评 表扬 打听 宣传 推荐"
).split()
ZH_ADV = "已经 终于 刚刚 一直 经常 偶尔 马上 突然 慢慢 认真 悄悄 还 也 都 又 再 正在 曾经 差不多 特意 亲自 赶紧".split()
ZH_TIME = (
    "昨天 今天早上 上个月 去年 前几天 周末 晚上 中午 下午三点 春节前 暑假里 最近 当时 后来 "
    "那天 第二天 每年夏天 开学前 半夜 清明节 国庆期间 上周五 月底 年初 傍晚 凌晨 入冬以后 "
    "雨季 前年秋天 下个月"
).split()
ZH_PLACE = (
    "城里 村口 河边 网上 车站 学校门口 老家 办公室 市场上 公园里 楼下 路口 山脚下 海边 桥头 "
    "操场上 食堂里 会议室 院子里 地铁上 饭桌上 树底下 隔壁 对面 县城 镇上 郊外 工地上 "
    "医院门口 书店里"
).split()
ZH_MEASURE = "个 本 辆 家 位 次 张 件 条 座 台 把 套 份 棵 间 盒 双 杯 碗".split()
ZH_NUM = "一 两 三 四 五 六 七 八 九 十 几 十几 二十多 上百 好几".split()
ZH_CONN = "但是 所以 因为 而且 不过 后来 于是 其实 另外 同时 结果 然后 可是 总之 首先 其次 最后 当然 比如 毕竟".split()
ZH_FEEL = "很高兴 有点失望 非常满意 觉得不错 特别感动 有些担心 挺意外 很着急 不太习惯 十分好奇 很有信心 哭笑不得 心里踏实 松了口气 半信半疑 一头雾水".split()
ZH_SAY = "说 表示 告诉大家 回答 解释 补充 提醒 笑着说 感慨 强调".split()
ZH_NAME = "林风 苏晴 陈默 叶小舟 赵天行 沈月 韩冰 顾长安 周野 许青 宋远 白露".split()

# Words with their pinyin, for the pinyin-annotation damage (tone marks written by hand).
ZH_PINYIN = {
    "发展": "fā zhǎn", "问题": "wèn tí", "学校": "xué xiào", "城里": "chéng lǐ", "时间": "shí jiān",
    "工作": "gōng zuò", "生活": "shēng huó", "效果": "xiào guǒ", "公司": "gōng sī", "政策": "zhèng cè",
    "图书": "tú shū", "服务": "fú wù", "质量": "zhì liàng", "价格": "jià gé", "天气": "tiān qì",
    "老街": "lǎo jiē", "传统": "chuán tǒng", "意见": "yì jiàn", "居民": "jū mín", "游客": "yóu kè",
    "社区": "shè qū", "记者": "jì zhě", "专家": "zhuān jiā", "声音": "shēng yīn", "邻居": "lín jū",
}

ZH_PROMO = (
    "本书首发于{site}，最新章节请到{site}阅读，支持正版，支持作者！ "
    "（未完待续，想知道后面发生了什么？请登录{site}，章节更多更新更快！） "
    "喜欢本书的朋友请收藏{site}，手机用户请访问m.{dom}.com阅读。 "
    "求推荐票、求收藏！您的支持就是作者更新的最大动力。 "
    "{site}提醒您：本章已更新完毕，下一章预计今晚八点上线。 "
    "如果觉得好看，请把本站网址推荐给您的朋友吧！本站网址：www.{dom}.com"
).split()
ZH_SITE = "青竹文学网 墨香书阁 云起小说站 星河阅读 书海阁".split()
ZH_DOM = "qingzhuwx moxiangsg yunqixs xinghe-yd shuhaige".split()
ZH_DISCLAIMER = (
    "免责声明：本文来源于网络，仅代表作者个人观点，与本站无关。如有侵权，请联系我们删除。 "
    "声明：本文内容仅供参考，不构成任何投资建议，据此操作风险自担。 "
    "版权声明：本文为{site}原创，未经授权不得转载，转载请注明出处。 "
    "（本文转载自{site}，文章观点不代表本平台立场。） "
    "温馨提示：文中图片来自网络，版权归原作者所有，如有侵权请告知，我们会及时处理。"
).split()
ZH_TITLES = [
    "{place}的{noun}", "关于{noun}的几点看法", "{person}和{noun}", "第{n}章 {name}的选择", "{org}新{noun}上线",
    "{adj}的{noun}怎么选", "记者走访{org}", "{time}的{place}", "聊聊{noun}", "{name}传 第{n}回",
]

# ---------------------------------------------------------------------------
# English, Japanese, Korean, Russian: the same kind of grammar, smaller
# ---------------------------------------------------------------------------

EN_PERSON = [
    "my neighbour", "the new manager", "a local farmer", "the mayor", "two students", "our teacher",
    "a bus driver", "the chef", "an engineer", "the nurse", "my sister", "the author",
    "a volunteer", "the coach", "the landlord", "a photographer", "the committee", "the owner",
    "a young couple", "the reporter", "the council", "a shopkeeper",
]
EN_ADJ = (
    "old new small large quiet busy cheap expensive "
    "narrow wide modern local public private green "
    "broken famous simple strange careful bright wooden "
    "empty crowded hidden seasonal useful"
).split()
EN_NOUN = (
    "bridge market library garden bakery station river "
    "road school clinic museum bicycle report plan "
    "budget festival concert project harbour factory "
    "kitchen window street village orchard theatre "
    "warehouse playground bus route survey exhibition "
    "tram line ferry farm"
).split()
EN_VERB = (
    "repaired visited opened closed painted reviewed "
    "funded rebuilt cleaned measured photographed "
    "described criticised supported delayed expanded "
    "moved sold bought rented inspected redesigned "
    "announced discussed documented"
).split()
EN_TIME = [
    "last week", "on Tuesday", "earlier this year", "over the summer", "in March", "every weekend",
    "yesterday", "in recent months", "after the storm", "before the holidays", "at dawn",
    "late at night",
]
EN_PREP = ["near", "behind", "next to", "across from", "outside", "inside", "beyond", "along"]
EN_CONN = [
    "However", "Meanwhile", "Still", "Later", "In the end", "Even so", "As a result", "At first",
    "Since then",
]
EN_FEEL = "pleased surprised worried relieved curious disappointed hopeful annoyed impressed confused".split()

JA_PERSON = "田中さん 母 先生 店長 友達 学生たち 近所の人 医者 運転手 祖父 社長 記者 子どもたち 観光客".split()
JA_NOUN = "本 写真 手紙 料理 お茶 自転車 地図 傘 荷物 切符 映画 音楽 花 野菜 魚 お弁当 資料 計画 部屋 庭".split()
JA_PLACE = "駅前 公園 学校 図書館 会社 商店街 海辺 山の上 病院 喫茶店 市役所 空港 台所 教室".split()
JA_ADJ = "新しい 古い 大きな 小さな 静かな きれいな 安い 高い 珍しい 便利な 温かい 冷たい 不思議な 有名な".split()
JA_VERB = "買いました 読みました 作りました 見つけました 届けました 借りました 送りました 片付けました 撮りました 選びました".split()
JA_TIME = "昨日 今朝 先週 去年 週末に 夕方 夜遅く 春休みに 毎朝 この前".split()
JA_FEEL = "とても嬉しかったです。 少し驚きました。 本当に助かりました。 また行きたいと思います。 ちょっと残念でした。".split()

KO_PERSON = "철수 어머니 선생님 사장님 친구 학생들 이웃 의사 기사님 할아버지 기자 아이들 관광객".split()
KO_NOUN = "책 사진 편지 음식 차 자전거 지도 우산 짐 표 영화 음악 꽃 채소 생선 도시락 자료 계획 방 정원".split()
KO_PLACE = ["역 앞", "공원", "학교", "도서관", "회사", "시장", "바닷가", "산 위", "병원", "카페", "시청", "공항", "부엌", "교실"]
KO_ADJ = "새 오래된 큰 작은 조용한 예쁜 싼 비싼 특별한 편리한 따뜻한 차가운 이상한 유명한".split()
KO_VERB = "샀다 읽었다 만들었다 찾았다 보냈다 빌렸다 정리했다 찍었다 골랐다 고쳤다".split()
KO_TIME = ["어제", "오늘 아침", "지난주", "작년", "주말에", "저녁에", "밤늦게", "봄방학에", "매일 아침", "얼마 전"]
KO_FEEL = ["정말 기뻤다.", "조금 놀랐다.", "큰 도움이 되었다.", "다시 가고 싶다.", "조금 아쉬웠다."]

RU_PERSON = [
    "Сосед", "Учитель", "Водитель", "Врач", "Мой брат", "Директор", "Журналист", "Студент", "Повар",
    "Инженер",
]
RU_VERB = "купил починил нашёл открыл показал описал посетил отправил закрыл заметил".split()
RU_NOUN = "книгу машину письмо мост сад магазин дом план отчёт картину рынок парк".split()
RU_PLACE = [
    "в центре", "у реки", "на рынке", "в деревне", "возле школы", "на вокзале", "в библиотеке",
    "за городом",
]
RU_TIME = ["Вчера", "Утром", "Летом", "В понедельник", "Недавно", "Вечером", "Зимой", "В прошлом году"]


def _pick(rng: random.Random, seq: list[str]) -> str:
    return seq[int(rng.random() * len(seq))]


# ---------------------------------------------------------------------------
# Sentence and document composition
# ---------------------------------------------------------------------------

def _zh_num(rng: random.Random) -> str:
    if rng.random() < 0.3:
        return str(rng.randint(2, 3000))
    return _pick(rng, ZH_NUM)


def _zh_sentence(rng: random.Random, genre: str) -> str:
    """One sentence from one of a dozen patterns; ``genre`` "novel" favours names and dialogue."""
    def P() -> str:  # a person
        return _pick(rng, ZH_NAME) if genre == "novel" and rng.random() < 0.6 else _pick(rng, ZH_PERSON)

    def NM() -> str:  # a number and a measure word
        return _zh_num(rng) + _pick(rng, ZH_MEASURE)

    A, N, V, ADJ = (partial(_pick, rng, x) for x in (ZH_ADV, ZH_NOUN, ZH_VERB, ZH_ADJ))
    T, PL, O, C = (partial(_pick, rng, x) for x in (ZH_TIME, ZH_PLACE, ZH_ORG, ZH_CONN))
    k = int(rng.random() * 13)
    if genre == "novel" and k > 9:
        k = 6
    if k == 0:
        return f"{T()}，{P()}{A()}在{PL()}{V()}了{NM()}{ADJ()}{N()}。"
    if k == 1:
        return f"{P()}{A()}{V()}{O()}的{N()}，{C()}{P()}{_pick(rng, ZH_FEEL)}。"
    if k == 2:
        return f"{C()}{P()}{_pick(rng, ZH_SAY)}，{O()}{A()}要{V()}{ADJ()}的{N()}。"
    if k == 3:
        return f"{PL()}的{N()}很{ADJ()}，{P()}{A()}{V()}过{NM()}。"
    if k == 4:
        return f"{P()}和{P()}{T()}一起{V()}{N()}，{C()}{N()}也{ADJ()}了不少。"
    if k == 5:
        return f"这{_pick(rng, ZH_MEASURE)}{N()}是{P()}{T()}{V()}的，{C()}{A()}{ADJ()}。"
    if k == 6:
        return f"“{A()}{V()}{N()}吧，{N()}的事{T()}再说。”{P()}对{P()}{_pick(rng, ZH_SAY)}。"
    if k == 7:
        return f"为什么{O()}的{N()}这么{ADJ()}？{P()}{A()}{_pick(rng, ZH_FEEL)}。"
    if k == 8:
        return f"{T()}{PL()}，{ADJ()}的{N()}和{ADJ()}的{N()}都被{V()}了。"
    if k == 9:
        return f"{P()}{T()}在{O()}{V()}{N()}，{A()}{V()}了{NM()}{N()}，{_pick(rng, ZH_FEEL)}。"
    if k == 10:
        return (f"据{O()}统计，{rng.randint(2008, 2025)}年{PL()}共有{rng.randint(12, 98000)}{_pick(rng, ZH_MEASURE)}"
                f"{N()}，比上年增长了{rng.randint(1, 60)}.{rng.randint(0, 9)}%。")
    if k == 11:
        return f"{P()}{A()}把{N()}{V()}到了{PL()}，{C()}{O()}{A()}{V()}了{N()}。"
    return f"{T()}，{O()}{V()}了{NM()}{ADJ()}{N()}，{P()}{_pick(rng, ZH_FEEL)}。"


def _zh_title(rng: random.Random, genre: str) -> str:
    t = _pick(rng, ZH_TITLES) if genre != "novel" else _pick(rng, ZH_TITLES[3:4] + ZH_TITLES[9:])
    return t.format(place=_pick(rng, ZH_PLACE), noun=_pick(rng, ZH_NOUN), person=_pick(rng, ZH_PERSON),
                    n=rng.randint(1, 999), name=_pick(rng, ZH_NAME), org=_pick(rng, ZH_ORG),
                    adj=_pick(rng, ZH_ADJ), time=_pick(rng, ZH_TIME))


def _cap(s: str) -> str:
    return s[:1].upper() + s[1:]


def _en_sentence(rng: random.Random) -> str:
    P, A, N, V = (partial(_pick, rng, x) for x in (EN_PERSON, EN_ADJ, EN_NOUN, EN_VERB))
    k = int(rng.random() * 6)
    if k == 0:
        return _cap(f"{_pick(rng, EN_TIME)}, {P()} {V()} the {A()} {N()} {_pick(rng, EN_PREP)} the {N()}.")
    if k == 1:
        return f"{_pick(rng, EN_CONN)}, {P()} was {_pick(rng, EN_FEEL)} that the {N()} had been {V()}."
    if k == 2:
        return _cap(f"{P()} {V()} a {A()} {N()} and {V()} the {N()} {_pick(rng, EN_TIME)}.")
    if k == 3:
        return (f"“The {N()} is {A()}, but the {N()} isn't,” {P()} said, and {P()} {V()} it "
                f"{_pick(rng, EN_TIME)}.")
    if k == 4:
        return (f"About {rng.randint(2, 95)}% of the {N()}s {_pick(rng, EN_PREP)} the {N()} were {V()} "
                f"in {rng.randint(1990, 2025)}.")
    return _cap(f"why was the {A()} {N()} {V()} {_pick(rng, EN_PREP)} the {A()} {N()}?")


def _ja_sentence(rng: random.Random) -> str:
    if rng.random() < 0.5:
        return (f"{_pick(rng, JA_TIME)}、{_pick(rng, JA_PERSON)}は{_pick(rng, JA_PLACE)}で{_pick(rng, JA_ADJ)}"
                f"{_pick(rng, JA_NOUN)}を{_pick(rng, JA_VERB)}。")
    return (f"{_pick(rng, JA_PERSON)}と{_pick(rng, JA_PLACE)}へ行って、{_pick(rng, JA_NOUN)}と"
            f"{_pick(rng, JA_NOUN)}を{_pick(rng, JA_VERB).replace('ました', 'ましたが')}、{_pick(rng, JA_FEEL)}")


def _ko(word: str, after_consonant: str, after_vowel: str) -> str:
    """Attach the particle form that agrees with the word's last syllable (을/를, 은/는, 과/와)."""
    last = word[-1]
    has_final = "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 != 0
    return word + (after_consonant if has_final else after_vowel)


def _ko_sentence(rng: random.Random) -> str:
    if rng.random() < 0.6:
        return (f"{_pick(rng, KO_TIME)} {_ko(_pick(rng, KO_PERSON), '은', '는')} {_pick(rng, KO_PLACE)}에서 "
                f"{_pick(rng, KO_ADJ)} {_ko(_pick(rng, KO_NOUN), '을', '를')} {_pick(rng, KO_VERB)}.")
    return (f"{_ko(_pick(rng, KO_PERSON), '과', '와')} 함께 {_ko(_pick(rng, KO_NOUN), '을', '를')} "
            f"{_pick(rng, KO_VERB)}. {_pick(rng, KO_FEEL)}")


def _ru_sentence(rng: random.Random) -> str:
    when, who = _pick(rng, RU_TIME), _pick(rng, RU_PERSON).lower()
    return f"{when} {who} {_pick(rng, RU_VERB)} {_pick(rng, RU_NOUN)} {_pick(rng, RU_PLACE)}."


def _paragraphs(rng: random.Random, target: int, sentence, sep: str = "") -> list[str]:
    """Paragraphs of 2-7 sentences until about ``target`` characters."""
    paras: list[str] = []
    total = 0
    while total < target:
        k = rng.randint(2, 7)
        para = sep.join(sentence() for _ in range(k))
        paras.append(para)
        total += len(para) + 1
    return paras


def _fit(paras: list[str], title: str, target: int) -> str:
    """Join title and paragraphs, trimming whole paragraphs/sentences to stay within MAX_CHARS."""
    text = title + "\n" + "\n".join(paras)
    if len(text) <= MAX_CHARS:
        return text
    cut = text.rfind("。", 0, MAX_CHARS)
    cut = max(cut, text.rfind(". ", 0, MAX_CHARS), text.rfind("\n", 0, MAX_CHARS))
    return text[: cut + 1] if cut > MIN_CHARS else text[:MAX_CHARS]


def _target_chars(rng: random.Random) -> int:
    """Log-uniform between MIN_CHARS and MAX_CHARS (mean about 1,670)."""
    return int(math.exp(rng.uniform(math.log(MIN_CHARS), math.log(MAX_CHARS))))


def _zh_doc(rng: random.Random, target: int) -> str:
    genre = "novel" if rng.random() < 0.2 else "news"
    title = _zh_title(rng, genre)
    paras = _paragraphs(rng, target - len(title), lambda: _zh_sentence(rng, genre))
    return _fit(paras, title, target)


def _en_doc(rng: random.Random, target: int) -> str:
    title = _cap(f"the {_pick(rng, EN_ADJ)} {_pick(rng, EN_NOUN)}")
    return _fit(_paragraphs(rng, target - len(title), lambda: _en_sentence(rng), " "), title, target)


def _lang_doc(rng: random.Random, target: int, sentence, sep: str) -> str:
    title = sentence().rstrip("。.")[:30]
    return _fit(_paragraphs(rng, target - len(title), sentence, sep), title, target)


# ---------------------------------------------------------------------------
# HTML page chrome (for the HTML variant and the html damage kind)
# ---------------------------------------------------------------------------

NAV_ZH = ["首页", "新闻", "财经", "科技", "体育", "娱乐", "生活", "论坛", "登录", "注册"]
ASIDE_ZH = ["热门推荐", "相关阅读", "猜你喜欢", "24小时排行", "编辑精选"]
FOOTER_ZH = ["关于我们 | 联系方式 | 广告服务 | 网站地图", "Copyright © 2008-2025 本站 版权所有 京ICP备00000000号"]
ENTITY_INSERTS = ["&nbsp;", "&amp;", "&quot;", "&amp;quot;", "&#12290;", "&lt;br&gt;", "&hellip;", "&mdash;"]
TAG_INSERTS = [
    "<br>", "<br/>", "<p>", "</p>", "<span class=\"hl\">", "</span>", "</div>", "<strong>",
    "</strong>",
]


_OPENCC: dict[str, object] = {}


def _to_traditional(text: str, rng: random.Random) -> str:
    import opencc  # the project's dependency; only needed for Traditional documents

    name = "s2twp" if rng.random() < 0.7 else "s2hk"
    conv = _OPENCC.get(name)
    if conv is None:
        conv = _OPENCC[name] = opencc.OpenCC(name)
    return conv.convert(text)  # type: ignore[attr-defined]


# ---------------------------------------------------------------------------
# Damage
# ---------------------------------------------------------------------------

def _sloppy_cp1252(raw: bytes) -> str:
    """Decode bytes as Windows-1252, the five undefined bytes as Latin-1 (what browsers do)."""
    out = []
    for b in raw:
        try:
            out.append(bytes([b]).decode("cp1252"))
        except UnicodeDecodeError:
            out.append(chr(b))
    return "".join(out)


def _run_span(rng: random.Random, text: str) -> tuple[int, int]:
    """A run of one to four sentences (or a line) somewhere after the title."""
    start_min = text.find("\n") + 1
    if start_min <= 0 or start_min >= len(text) - 10:
        start_min = 0
    ends = [i + 1 for i, ch in enumerate(text) if ch in "。！？\n.!?" and i >= start_min]
    if len(ends) < 2:
        return start_min, len(text)
    i = rng.randrange(len(ends) - 1)
    j = min(len(ends) - 1, i + rng.randint(1, 4))
    a, b = ends[i], ends[j]
    while a < b and text[a] in " \n":
        a += 1
    return a, b


def _damage_codec(rng: random.Random, text: str, kind: str) -> str:
    a, b = _run_span(rng, text)
    run = text[a:b]
    if kind == "utf8_as_gbk":
        bad = run.encode("utf-8").decode("gbk", "replace")
    elif kind == "gbk_as_latin1":
        bad = run.encode("gbk", "replace").decode("latin-1")
    else:  # cp1252
        bad = _sloppy_cp1252(run.encode("utf-8"))
    return text[:a] + bad + text[b:]


def _damage_html(rng: random.Random, text: str) -> str:
    parts = text.split("\n")
    out = []
    for line in parts:
        if rng.random() < 0.5:
            line = "<p>" + line + "</p>"
        chars = list(line)
        for _ in range(rng.randint(1, 4)):
            pos = rng.randrange(len(chars) + 1)
            ins = _pick(rng, ENTITY_INSERTS) if rng.random() < 0.6 else _pick(rng, TAG_INSERTS)
            chars.insert(pos, ins)
        out.append("".join(chars))
    return "\n".join(out)


def _damage_pinyin(rng: random.Random, text: str) -> str:
    words = [w for w in ZH_PINYIN if w in text]
    if not words:
        # glue an annotated word into a sentence if the document has none of them
        w = _pick(rng, list(ZH_PINYIN))
        return text.replace("。", f"，{w}({ZH_PINYIN[w]})很重要。", 1)
    for w in rng.sample(words, min(len(words), rng.randint(1, 4))):
        py = ZH_PINYIN[w]
        if rng.random() < 0.5:
            ann = f"{w}({py})"
        else:  # per character: 发(fā)展(zhǎn)
            syl = py.split()
            ann = "".join(f"{c}({s})" for c, s in zip(w, syl, strict=False))
        text = text.replace(w, ann, rng.randint(1, 2))
    return text


def _damage_promo(rng: random.Random, text: str) -> str:
    k = int(rng.random() * len(ZH_SITE))
    lines = [t.format(site=ZH_SITE[k], dom=ZH_DOM[k]) for t in rng.sample(ZH_PROMO, rng.randint(1, 3))]
    return text + "\n" + "\n".join(lines)


def _damage_disclaimer(rng: random.Random, text: str) -> str:
    line = _pick(rng, ZH_DISCLAIMER).format(site=_pick(rng, ZH_SITE))
    return line + "\n" + text if rng.random() < 0.3 else text + "\n" + line


_ZH_KINDS = ("utf8_as_gbk", "gbk_as_latin1", "cp1252", "html", "pinyin", "promo", "disclaimer")
_ZH_WEIGHTS = (0.18, 0.12, 0.10, 0.20, 0.12, 0.14, 0.14)
_LATIN_KINDS = ("cp1252", "html")


def _damage(rng: random.Random, text: str, lang: str) -> tuple[str, list[str]]:
    if lang in ("zh-Hans", "zh-Hant"):
        kinds = list(dict.fromkeys(rng.choices(_ZH_KINDS, _ZH_WEIGHTS, k=1 if rng.random() < 0.7 else 2)))
    elif lang in ("en", "ru"):
        kinds = [_pick(rng, list(_LATIN_KINDS))]
    else:
        kinds = ["html"]
    # text-level damage first (it is what the source had), codec damage last (it happened in transit)
    order = {"promo": 0, "disclaimer": 1, "pinyin": 2, "html": 3, "utf8_as_gbk": 4, "gbk_as_latin1": 4,
             "cp1252": 4}
    kinds.sort(key=order.__getitem__)
    for kind in kinds:
        if kind in ("utf8_as_gbk", "gbk_as_latin1", "cp1252"):
            text = _damage_codec(rng, text, kind)
        elif kind == "html":
            text = _damage_html(rng, text)
        elif kind == "pinyin":
            text = _damage_pinyin(rng, text)
        elif kind == "promo":
            text = _damage_promo(rng, text)
        else:
            text = _damage_disclaimer(rng, text)
    return text, kinds


# ---------------------------------------------------------------------------
# Documents
# ---------------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Doc:
    index: int
    id: str
    lang: str
    text: str
    damage: tuple[str, ...] = ()
    dup_of: int | None = None


def _choose(rng: random.Random, mix: tuple[tuple[str, float], ...]) -> str:
    r = rng.random()
    acc = 0.0
    for name, w in mix:
        acc += w
        if r < acc:
            return name
    return mix[-1][0]


def _fresh(seed: int, i: int) -> Doc:
    rng = random.Random(f"qingxi-bench:{seed}:{i}")
    lang = _choose(rng, MIX)
    if lang == "other":
        lang = _choose(rng, OTHER_MIX)
    target = _target_chars(rng)
    if lang in ("zh-Hans", "zh-Hant"):
        text = _zh_doc(rng, target)
    elif lang == "en":
        text = _en_doc(rng, target)
    elif lang == "ja":
        text = _lang_doc(rng, target, lambda: _ja_sentence(rng), "")
    elif lang == "ko":
        text = _lang_doc(rng, target, lambda: _ko_sentence(rng), " ")
    else:
        text = _lang_doc(rng, target, lambda: _ru_sentence(rng), " ")
    damage: tuple[str, ...] = ()
    # the damage draw comes from its own stream so the clean text does not depend on it
    drng = random.Random(f"qingxi-bench-damage:{seed}:{i}")
    if lang == "zh-Hant":
        text = _to_traditional(text, drng)
    if drng.random() < DAMAGE_RATE:
        text, kinds = _damage(drng, text, lang)
        damage = tuple(kinds)
    return Doc(i, f"bench-{seed}-{i:08d}", lang, text, damage)


def document(seed: int, i: int) -> Doc:
    """Document ``i`` of the corpus with this seed (deterministic)."""
    rng = random.Random(f"qingxi-bench-dup:{seed}:{i}")
    if i > 10 and rng.random() < DUP_RATE:
        j = rng.randrange(i)
        src = _fresh(seed, j)
        return Doc(i, f"bench-{seed}-{i:08d}", src.lang, src.text, src.damage, dup_of=j)
    return _fresh(seed, i)


def documents(seed: int, n: int | None = None, max_bytes: int | None = None) -> Iterator[Doc]:
    """The first ``n`` documents, or documents until ``max_bytes`` of UTF-8 text."""
    total = 0
    i = 0
    while (n is None or i < n) and (max_bytes is None or total < max_bytes):
        d = document(seed, i)
        total += len(d.text.encode("utf-8"))
        yield d
        i += 1


# ---------------------------------------------------------------------------
# Writers
# ---------------------------------------------------------------------------

def html_page(d: Doc) -> str:
    """The document inside a plausible page: head, nav, article, aside, footer."""
    rng = random.Random(f"qingxi-bench-html:{d.id}")
    lines = d.text.split("\n")
    title, body = lines[0], lines[1:] or lines
    nav = "".join(f'<li><a href="/{i}">{html_lib.escape(x)}</a></li>' for i, x in enumerate(NAV_ZH))
    aside = "".join(f'<li><a href="/a/{rng.randint(1, 99999)}">{html_lib.escape(x)}：'
                    f'{html_lib.escape(_zh_title(rng, "news"))}</a></li>' for x in rng.sample(ASIDE_ZH, 3))
    paras = "\n".join(f"<p>{html_lib.escape(p)}</p>" for p in body if p.strip())
    lang_attr = {"zh-Hans": "zh-CN", "zh-Hant": "zh-TW"}.get(d.lang, d.lang)
    return (
        f'<!DOCTYPE html>\n<html lang="{lang_attr}"><head><meta charset="utf-8">'
        f"<title>{html_lib.escape(title)} - 示例网</title>"
        '<script>var _hm=[];(function(){var s=document.createElement("script");})();</script>'
        '<style>body{font-family:sans-serif}.nav li{display:inline}</style></head>\n'
        f'<body><header><div class="logo">示例网</div><ul class="nav">{nav}</ul></header>\n'
        f'<div class="main"><article><h1>{html_lib.escape(title)}</h1>\n'
        f'<div class="meta">2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)} 来源：示例网</div>\n'
        f"{paras}\n</article>\n"
        f'<aside class="sidebar"><h3>相关阅读</h3><ul>{aside}</ul></aside></div>\n'
        f'<footer><p>{FOOTER_ZH[0]}</p><p>{FOOTER_ZH[1]}</p></footer></body></html>\n'
    )


@dataclass
class Summary:
    seed: int
    docs: int = 0
    bytes_utf8: int = 0
    chars: int = 0
    langs: Counter[str] = field(default_factory=Counter)
    damage: Counter[str] = field(default_factory=Counter)
    damaged_docs: int = 0
    duplicates: int = 0
    files: dict[str, int] = field(default_factory=dict)
    bytes_on_disk: dict[str, int] = field(default_factory=dict)

    def add(self, d: Doc, n_bytes: int) -> None:
        self.docs += 1
        self.bytes_utf8 += n_bytes
        self.chars += len(d.text)
        self.langs[d.lang] += 1
        if d.damage:
            self.damaged_docs += 1
            self.damage.update(d.damage)
        if d.dup_of is not None:
            self.duplicates += 1

    def as_dict(self) -> dict:
        return {
            "generator_version": GENERATOR_VERSION, "seed": self.seed, "docs": self.docs,
            "bytes_utf8": self.bytes_utf8, "chars": self.chars,
            "mean_chars": round(self.chars / max(1, self.docs), 1),
            "langs": dict(self.langs.most_common()), "damaged_docs": self.damaged_docs,
            "damage": dict(self.damage.most_common()), "duplicates": self.duplicates,
            "files": self.files, "bytes_on_disk": self.bytes_on_disk,
        }


def write_corpus(out: Path, *, seed: int = 7, docs: int | None = None, size_mb: float | None = None,
                 formats: tuple[str, ...] = ("jsonl", "txt", "html"), jsonl_files: int = 8,
                 file_mb: float | None = None) -> dict:
    """Write the corpus under ``out`` and return its summary (also written to ``out/corpus.json``).

    JSONL is split into ``jsonl_files`` files of consecutive documents when
    ``docs`` is given, or into files of about ``file_mb`` MB when ``size_mb``
    is given (the total is not known in advance then).
    """
    if docs is None and size_mb is None:
        raise ValueError("give docs or size_mb")
    out.mkdir(parents=True, exist_ok=True)
    summ = Summary(seed)
    max_bytes = int(size_mb * 1024 * 1024) if size_mb is not None else None
    per_file_docs = math.ceil(docs / max(1, jsonl_files)) if docs is not None else None
    per_file_bytes = int((file_mb or 64) * 1024 * 1024)
    fh = None
    file_no = -1
    in_file_docs = in_file_bytes = 0
    jdir = out / "jsonl"
    if "jsonl" in formats:
        jdir.mkdir(exist_ok=True)
    try:
        for d in documents(seed, docs, max_bytes):
            raw = d.text.encode("utf-8")
            summ.add(d, len(raw))
            if "jsonl" in formats:
                full = fh is None or (per_file_docs is not None and in_file_docs >= per_file_docs) or \
                    (per_file_docs is None and in_file_bytes >= per_file_bytes)
                if full:
                    if fh is not None:
                        fh.close()
                    file_no += 1
                    fh = open(jdir / f"part-{file_no:05d}.jsonl", "w", encoding="utf-8")  # noqa: SIM115
                    in_file_docs = in_file_bytes = 0
                rec = {"id": d.id, "text": d.text, "lang_truth": d.lang, "damage": list(d.damage)}
                line = json.dumps(rec, ensure_ascii=False) + "\n"
                fh.write(line)  # type: ignore[union-attr]
                in_file_docs += 1
                in_file_bytes += len(line.encode("utf-8")) if per_file_docs is None else 0
            if "txt" in formats:
                p = out / "txt" / f"{d.index // 1000:03d}" / f"{d.index:06d}.txt"
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_bytes(raw)
            if "html" in formats:
                p = out / "html" / f"{d.index // 1000:03d}" / f"{d.index:06d}.html"
                p.parent.mkdir(parents=True, exist_ok=True)
                p.write_text(html_page(d), encoding="utf-8")
    finally:
        if fh is not None:
            fh.close()
    for fmt in formats:
        files = [p for p in (out / fmt).rglob("*") if p.is_file()]
        summ.files[fmt] = len(files)
        summ.bytes_on_disk[fmt] = sum(p.stat().st_size for p in files)
    result = summ.as_dict()
    text = json.dumps(result, ensure_ascii=False, indent=1) + "\n"
    (out / "corpus.json").write_text(text, encoding="utf-8")
    return result


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("out", type=Path, help="output folder")
    ap.add_argument("--docs", type=int, help="number of documents")
    ap.add_argument("--size-mb", type=float, help="generate until this many MB of UTF-8 text instead")
    ap.add_argument("--seed", type=int, default=7)
    ap.add_argument("--formats", default="jsonl,txt,html", help="comma-separated: jsonl,txt,html")
    ap.add_argument("--jsonl-files", type=int, default=8, help="JSONL files (with --docs)")
    ap.add_argument("--file-mb", type=float, default=64, help="MB per JSONL file (with --size-mb)")
    ap.add_argument("--sample", type=int, metavar="I", help="print document I and exit")
    args = ap.parse_args(argv)
    if args.sample is not None:
        d = document(args.seed, args.sample)
        print(json.dumps({"id": d.id, "lang": d.lang, "damage": d.damage, "dup_of": d.dup_of,
                          "chars": len(d.text)}, ensure_ascii=False))
        sys.stdout.write(d.text + "\n")
        return 0
    if (args.docs is None) == (args.size_mb is None):
        ap.error("give exactly one of --docs and --size-mb")
    t0 = time.perf_counter()
    formats = tuple(f.strip() for f in args.formats.split(",") if f.strip())
    summ = write_corpus(args.out, seed=args.seed, docs=args.docs, size_mb=args.size_mb, formats=formats,
                        jsonl_files=args.jsonl_files, file_mb=args.file_mb)
    summ["seconds"] = round(time.perf_counter() - t0, 2)
    print(json.dumps(summ, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
