"""Tokens for routing mixed English and Chinese text without a segmenter.

English (and any Latin-script word, code or host name) splits into lower-case words with a light
suffix stemmer; Chinese splits into single characters, so a Chinese term matches as a character
sequence and the similarity measure uses character bigrams. A segmenter such as jieba would cost
more to import than the whole server start-up is allowed to.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Iterator
from itertools import pairwise

_CJK_RANGES = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
_TOKEN = re.compile(rf"[a-z0-9]+|[{_CJK_RANGES}]")
_APOSTROPHE = re.compile(r"(?<=[a-z])['’](?=[a-z])")
_CJK_CHAR = re.compile(rf"[{_CJK_RANGES}]")
# Traditional characters of mail, account and login vocabulary, and their simplified forms, so that a
# question written in Traditional Chinese (Hong Kong, Taiwan) meets the simplified knowledge base; the
# variant 帐 (帐号) folds into 账 (账号) too.
_TRADITIONAL = str.maketrans(
    "帐帳賬號碼鎖凍結錯誤過設態網頁郵錄陸記憶護問題綁機認證驗訊務戶開啟關閉傳發們區規則濾單簽書數據庫時"
    "間鐘點後還這個麼辦無連線斷協議應員權續費滿轉報顯讀寫刪將會對當為與從舊換掃維條類種別攔級嚴導匯紀"
    "檢測試運營雲裡裏嗎說請該樣處電腦頭訪達來離職閱覽瀏憑鑰頻嘗輸壞丟讓給見現實統組織幫復歸騙詐檔圖優"
    "勢體帶團隊負責內際國臺灣華語聯絡係邊雙調禮節習慣錢買賣價額萬億麗聽絕鏈繫餘備確資產託計劃選項擇螢"
    "響載筆貨廣銷標籤夾軟動視鍵盤總啓舉遞陣隨氣簡陰陽亂寶貝佈於業",
    "账账账号码锁冻结错误过设态网页邮录陆记忆护问题绑机认证验讯务户开启关闭传发们区规则滤单签书数据库时"
    "间钟点后还这个么办无连线断协议应员权续费满转报显读写删将会对当为与从旧换扫维条类种别拦级严导汇纪"
    "检测试运营云里里吗说请该样处电脑头访达来离职阅览浏凭钥频尝输坏丢让给见现实统组织帮复归骗诈档图优"
    "势体带团队负责内际国台湾华语联络系边双调礼节习惯钱买卖价额万亿丽听绝链系余备确资产托计划选项择萤"
    "响载笔货广销标签夹软动视键盘总启举递阵随气简阴阳乱宝贝布于业",
)


def fold_traditional(text: str) -> str:
    """Traditional Chinese characters of the mail vocabulary as their simplified forms."""
    return text.translate(_TRADITIONAL)


# A webmail host of the customer's own domain (mail.example.com, webmail.公司.cn): whatever the domain,
# it reads as the words "mail subdomain", so the vocabulary can name it once.
_WEBMAIL_HOST = re.compile(
    rf"(?<![a-z0-9.@-])(?:web)?mail\.(?:[a-z0-9{_CJK_RANGES}-]+\.)+[a-z]{{2,}}(?![a-z0-9-])"
)


def normalize(text: str) -> str:
    """Fold width, case and Traditional Chinese (NFKC turns full-width Latin letters and digits into ASCII),
    join contractions, and read a webmail host name as "mail subdomain"."""
    folded = fold_traditional(unicodedata.normalize("NFKC", text)).lower()
    return _WEBMAIL_HOST.sub(" mail subdomain ", _APOSTROPHE.sub("", folded))


def is_cjk(token: str) -> bool:
    return bool(_CJK_CHAR.match(token))


def stem(word: str) -> str:
    """A light English stemmer: plural and -ing/-ed/-e endings, so 'blocked', 'blocks', 'blocking' meet."""
    if len(word) <= 3 or not word.isalpha():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith("sses"):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) > 5:
        word = word[:-3]
    elif word.endswith("ed") and len(word) > 4:
        word = word[:-2]
    if word.endswith("e") and len(word) > 4:
        word = word[:-1]
    return word


def tokens(text: str) -> list[str]:
    """Stemmed English words and single Chinese characters, in order."""
    return [tok if is_cjk(tok) else stem(tok) for tok in _TOKEN.findall(normalize(text))]


def term_parts(term: str) -> list[tuple[str, ...]]:
    """A routing term as token sequences: 'a + b' gives two parts that may appear anywhere."""
    parts = [tuple(tokens(part)) for part in term.split(" + ")]
    return [p for p in parts if p]


def features(toks: Iterable[str]) -> Iterator[str]:
    """Bag-of-words features: English words as they are, Chinese as character bigrams (or lone characters)."""
    run: list[str] = []
    for tok in toks:
        if is_cjk(tok):
            run.append(tok)
            continue
        yield from _bigrams(run)
        run = []
        yield tok
    yield from _bigrams(run)


def _bigrams(run: list[str]) -> Iterator[str]:
    if len(run) == 1:
        yield run[0]
    for a, b in pairwise(run):
        yield a + b


def deletions(word: str) -> set[str]:
    """Every string one character shorter: two words one edit apart share one of these (or are one)."""
    return {word[:i] + word[i + 1 :] for i in range(len(word))}
