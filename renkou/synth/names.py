"""Chinese personal and place names: surnames by frequency, era- and sex-typical given names."""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from renkou.synth.config import FloatArr, IntArr

# The 100 most common surnames with approximate shares (%), then rare single and compound
# surnames (a registry must cope with them).
_SURNAMES = (
    "王7.1 李7.0 张6.6 刘5.4 陈4.7 杨3.4 黄2.3 赵2.3 吴2.0 周1.9 徐1.4 孙1.4 马1.3 朱1.3 胡1.2 "
    "郭1.2 何1.1 林1.0 高1.0 罗.95 郑.9 梁.86 谢.8 宋.66 唐.63 许.6 韩.58 冯.55 邓.55 曹.53 "
    "彭.5 曾.48 肖.47 田.46 董.45 袁.43 潘.42 于.41 蒋.4 蔡.39 余.38 杜.37 叶.37 程.37 苏.35 "
    "魏.35 吕.34 丁.33 任.32 沈.31 姚.3 卢.3 姜.29 崔.28 钟.28 谭.27 陆.26 汪.25 范.25 金.24 "
    "石.24 廖.23 贾.23 夏.22 韦.22 付.22 方.21 白.21 邹.2 孟.2 熊.2 秦.19 邱.19 江.19 尹.18 "
    "薛.18 闫.18 段.17 雷.17 侯.16 龙.16 史.16 陶.15 黎.15 贺.15 顾.14 毛.14 郝.14 龚.13 邵.13 "
    "万.13 钱.12 严.12 覃.12 武.12 戴.12 莫.11 孔.11 向.11 汤.11 "
    "亓.01 禚.005 仉.005 隗.005 訾.005 笪.004 琚.004 佘.008 厍.003 冼.006 鄢.008 "
    "欧阳.02 司马.008 诸葛.005 上官.006 尉迟.002 皇甫.004 令狐.003"
)


def _parse(spec: str) -> tuple[list[str], FloatArr]:
    names: list[str] = []
    weights: list[float] = []
    for item in spec.split():
        i = next(k for k, ch in enumerate(item) if ch.isdigit() or ch == ".")
        names.append(item[:i])
        weights.append(float(item[i:]))
    w = np.array(weights, dtype=np.float64)
    return names, w / w.sum()


SURNAMES, SURNAME_P = _parse(_SURNAMES)

# Given-name characters by era (birth year up to the bound) and sex, and the share of two-
# character given names in that era. The last pools carry a few rare characters (GB 18030,
# including CJK Extension A/B: 䶮, 𠮷) that every import and font path must survive.
ERA_BOUNDS = (1949, 1969, 1989, 2004, 9999)
TWO_CHAR_SHARE = (0.55, 0.5, 0.45, 0.7, 0.88)
MALE_POOLS = (
    "福贵富金保根生林海山忠文武兴荣宝发财喜顺庆德明华国成义仁春恒",
    "建国军民平华强伟卫东红明志新忠斌刚立勇胜利全兵文学永跃进",
    "伟勇军强磊涛斌杰鹏超辉刚波峰亮俊飞龙宇浩凯帅鑫阳博明东华",
    "浩宇鹏杰帅鑫磊博凯阳文俊豪晨旭航飞龙天佳明睿宁鹤家昊堃喆",
    "子轩浩宇梓睿博涵泽一辰铭奕皓俊航晨杰天佑沐宸锦瑞文阳翊铄䶮𠮷",
)
FEMALE_POOLS = (
    "秀英兰珍凤桂芝花梅玉淑荣香云琴翠菊霞芳兰素贞彩巧爱",
    "秀英红丽华芳霞玉梅兰凤琴萍艳敏桂珍荣云燕素金爱",
    "丽红艳芳霞敏静燕娟英玲萍华慧莉琴婷娜倩晓雪丹洁颖",
    "婷静丽娜敏芳倩雪琳佳颖晶丹慧莹晓燕璐洁欣悦萌蕾梦玥珺",
    "子涵欣怡梓雨诗可萱一若思语佳悦彤琪馨汐芯沐雅晨依雯瑶诺昕",
)

# Characters that sound alike (same pinyin, often the same tone): the typos of a clerk who
# writes a name from hearing it.
HOMOPHONES: dict[str, str] = {
    "李": "黎",
    "张": "章",
    "刘": "柳",
    "王": "汪",
    "杨": "阳",
    "吴": "伍",
    "徐": "许",
    "朱": "诸",
    "胡": "扈",
    "郭": "国",
    "何": "贺",
    "林": "琳",
    "高": "郜",
    "罗": "骆",
    "孙": "荪",
    "陈": "沉",
    "黄": "皇",
    "赵": "照",
    "周": "舟",
    "马": "玛",
    "明": "鸣",
    "伟": "玮",
    "丽": "莉",
    "静": "婧",
    "婷": "庭",
    "华": "花",
    "红": "宏",
    "军": "君",
    "霞": "侠",
    "芳": "方",
    "敏": "闵",
    "强": "蔷",
    "涛": "韬",
    "磊": "雷",
    "鹏": "朋",
    "杰": "洁",
    "浩": "皓",
    "宇": "雨",
    "轩": "萱",
    "涵": "晗",
    "欣": "鑫",
    "怡": "宜",
    "梓": "子",
    "辰": "晨",
    "睿": "瑞",
    "泽": "则",
    "琪": "琦",
    "彤": "桐",
    "佳": "嘉",
    "思": "斯",
    "建": "健",
    "国": "郭",
    "平": "萍",
    "英": "瑛",
    "兰": "岚",
    "玉": "钰",
    "秀": "绣",
    "燕": "艳",
    "梅": "玫",
    "桂": "贵",
    "凤": "峰",
    "珍": "真",
    "芝": "枝",
    "云": "芸",
    "琴": "勤",
    "娟": "鹃",
    "慧": "惠",
    "勇": "永",
    "斌": "彬",
    "刚": "钢",
    "亮": "靓",
    "俊": "峻",
    "飞": "菲",
    "龙": "隆",
    "博": "波",
    "凯": "铠",
    "帅": "率",
    "鑫": "欣",
    "阳": "扬",
    "文": "雯",
    "东": "冬",
    "立": "力",
    "新": "欣",
    "民": "敏",
    "生": "升",
    "山": "珊",
}

# Place-name parts.
TOWN_FIRST = "白黄石柳杨马高龙凤青新大东西南北金双三五盘太永清长乐安"
TOWN_SECOND = "庄桥河集店寨营坪岭湖沟口园湾屯岗坡泉山城"
VILLAGE_SUFFIX = "庄营寨岗湾坡沟屯集楼店桥"
VILLAGE_PREFIX = "东西南北前后上下大小新老"
VILLAGE_PLAIN = (
    "石桥 柳树沟 杏花 桃园 枣林 槐树 榆林 松树坪 青龙 白虎 龙泉 凤凰 清水河 黄土岭 红旗 "
    "向阳 胜利 和平 团结 幸福 五一 八一 三里 十里铺 沙坪 古城 新庄 河口 老君 马蹄"
).split()
COMMUNITY_NAMES = (
    "东关 西关 南关 北关 东街 西街 南街 北街 人民路 建设路 解放路 文化路 新华 和平 朝阳 "
    "滨河 幸福 光明 书院 鹤鸣 迎宾 花园 振兴 育才 府前 车站 东城 西城 城北 城南 "
    "中山路 健康路 胜利路 工业路 复兴 新城 锦绣 怡园 翠苑 紫荆 丹桂 金桥 银河 春晖 "
    "永安 长青 东方红 红星 民主路 团结路 黄河路 伊河路 嵩山路 龙门路 凤凰台 状元 "
    "文昌 宏图 康乐 丰收"
).split()
STREET_NAMES = "城关 东城 西城 南城 北城 新区 滨河 古城 鹤鸣 伊河".split()
# the first three follow the county name (嵩阳县人民医院), the others are city hospitals
HOSPITALS = ("人民医院", "妇幼保健院", "中医院", "洛阳市第一人民医院", "洛阳市妇女儿童医疗保健中心")

RARE_CHARS = "䶮𠮷"
CHINESE_DIGITS = ("一", "二", "三", "四", "五", "六", "七", "八", "九", "十")


def _era(birth_year: IntArr) -> IntArr:
    return np.asarray(np.searchsorted(np.array(ERA_BOUNDS), birth_year, side="left"), np.int64)


def draw_surnames(rng: np.random.Generator, n: int) -> IntArr:
    """Indices into SURNAMES drawn from the national distribution."""
    return np.asarray(rng.choice(len(SURNAMES), size=n, p=SURNAME_P), dtype=np.int64)


def draw_given_names(
    rng: np.random.Generator, sex: IntArr, birth_year: IntArr
) -> npt.NDArray[np.str_]:
    """One- or two-character given names typical of the person's sex and birth era."""
    n = sex.size
    era = _era(birth_year)
    out = np.full(n, "", dtype="<U2")
    for e in range(len(ERA_BOUNDS)):
        for s, pools in ((1, MALE_POOLS), (2, FEMALE_POOLS)):
            idx = np.flatnonzero((era == e) & (sex == s))
            if idx.size == 0:
                continue
            chars = np.array(list(pools[e]), dtype="<U1")
            # rare characters are drawn with a small weight
            w = np.array([0.02 if ch in RARE_CHARS else 1.0 for ch in chars])
            p = w / w.sum()
            first = chars[rng.choice(chars.size, size=idx.size, p=p)]
            second = chars[rng.choice(chars.size, size=idx.size, p=p)]
            two = rng.random(idx.size) < TWO_CHAR_SHARE[e]
            out[idx] = np.strings.add(first, np.where(two, second, ""))
    return out


def homophone_variant(rng: np.random.Generator, name: str) -> str | None:
    """The name with one character replaced by a homophone, or None if none is known."""
    positions = [i for i, ch in enumerate(name) if ch in HOMOPHONES]
    if not positions:
        return None
    i = positions[int(rng.integers(len(positions)))]
    return name[:i] + HOMOPHONES[name[i]] + name[i + 1 :]


def ordinal_group_name(k: int, urban: bool) -> str:
    """第一村民小组 … for villages, 第一居民小组 … for residents' committees."""
    num = CHINESE_DIGITS[k - 1] if k <= 10 else "十" + CHINESE_DIGITS[k - 11]
    return f"第{num}{'居民' if urban else '村民'}小组"
