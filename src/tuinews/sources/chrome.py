"""Recognise site chrome in article text, in any language: the parts of a saved page that are not the
article (language pickers, share buttons, cookie banners, breadcrumbs, "Related news" trailers ...).

The rules look at the shape of a line, not at one site: a line is chrome when it is short and made
only of words from a chrome vocabulary (share targets, language names, picker words), or when it
matches one of a few anchored phrases (cookie notices, copyright lines, "Skip to content").
Trailer headings ("Related News", "Читайте також", "Lesen Sie auch") cut the article when they come
in its later part, because everything after them is a list of other articles.
"""

from __future__ import annotations

import functools
import re
import unicodedata

_MAX_CHROME_CHARS = 600  # longer paragraphs are never chrome, whatever they say
EDGE_PARAGRAPHS = 400
_MAX_LIST_TOKENS = 16
_MAX_NAME_CHARS = 60
_MIN_TEXT_BEFORE_TRAILER = 100
_MAX_TEASER_CHARS = 300
_MIN_PROSE_AFTER_TRAILER = 200
_PROSE_AFTER_SHARE = 0.3

# -- vocabularies ------------------------------------------------------------------------------------

# Words that make a share/print line on their own.
_SHARE_STRONG = frozenset(
    """
    facebook twitter linkedin reddit whatsapp telegram viber email e-mail mail print share shares
    sharing pinterest tumblr flipboard messenger vk vkontakte odnoklassniki weibo wechat qzone xing
    mastodon bluesky tweet tweeten teilen drucken mailen partager imprimer envoyer compartir imprimir
    enviar condividi stampa compartilhar partilhar поділитися поширити надіслати друк друкувати
    поделиться отправить печать распечатать udostępnij drukuj twitter/x للطباعة طباعة مشاركة
    شارك シェア ツイート 分享 打印 프린트 이메일 공유 스크랩 인쇄 트위터 페이스북 카카오톡 카카오스토리
    kakaotalk kakao naver google google+ hatena pocket
    """.split()
)
# Words that may sit next to those ("Share on Facebook", "Auf Facebook teilen", "Copy link").
_SHARE_WEAK = frozenset(
    """
    x ok line link copy send on in this the article story page post via by to with your a an it us
    friend friends now url auf per mit diesen artikel seite link kopieren sur le la l cet cette
    par lien copier en el este esta artículo por enlace copiar página у в на через цю цей статтю
    посилання скопіювати копіювати эту статью ссылку скопировать su di questo articolo نسخة
    """.split()
)
# Words of a language picker beside language names ("Select language below", "Мова: Українська").
_PICKER_WORDS = frozenset(
    """
    select choose change pick switch your the a language languages below here edition site
    sprache sprachen wählen auswählen ändern langue langues choisir changer choisissez la votre
    idioma idiomas seleccionar selecciona seleccione elegir elige cambiar el su мова мови мову оберіть
    виберіть обрати вибрати змінити язык языка языки выберите выбрать сменить lingua lingue scegli
    seleziona taal kies język wybierz língua escolha selecione 言語 语言 語言 اللغة
    """.split()
)
_LANGUAGE_NOUNS = frozenset(
    "language languages sprache sprachen langue langues idioma idiomas мова мови мову язык языка "
    "языки lingua lingue taal język língua 言語 语言 語言 اللغة".split()
)
_EXTRA_LANGUAGE_NAMES = frozenset(
    "简体中文 繁體中文 繁体中文 正體中文 简体 繁體 中文简体 中文繁體 english español deutsch français "
    "українська русский bahasa".split()
)
_UI_CODES = frozenset(
    "en ua uk ru de fr es it pl pt zh ja jp ko kr ar tr nl cs cz sk hu ro bg el gr he fa hi sv se no "
    "da dk fi et lv lt sl hr sr be ka az kk uz vi th id ms cn br".split()
)
_LANGUAGE_CODES = (
    "en es fr de uk ru it pt pl nl sv no nb nn da fi cs sk hu ro bg el tr ar he fa hi bn ur zh ja ko "
    "vi th id ms tl fil sw am ka hy az kk uz be lt lv et sl hr sr bs mk sq is ga cy eu ca gl mt af zu "
    "xh yo ig ha so ne si ta te ml kn mr gu pa my km lo mn ps ku ky tg tk lb fy co haw sm mi ht jv su "
    "ceb hmn ny st sn ug yi la eo zh-Hans zh-Hant pt-BR pt-PT en-US en-GB es-419 fr-CA"
).split()
_NAME_DISPLAY_LANGUAGES = ("en", "uk", "ru", "de", "fr", "es", "it", "pt", "pl", "zh", "ja", "ar")

# -- anchored phrases ----------------------------------------------------------------------------------

_COOKIE = re.compile(
    r"\b(?:we use cookies|we and our partners use cookies|this (?:web)?site uses cookies|"
    r"uses? cookies to|cookie (?:settings|policy|preferences|consent)|manage cookies|accept cookies|"
    r"wir verwenden cookies|diese website verwendet cookies|cookie-einstellungen|"
    r"nous utilisons des cookies|ce site utilise des cookies|gestion des cookies|"
    r"utilizamos cookies|usamos cookies|este sitio (?:web )?utiliza cookies|política de cookies|"
    r"ми використовуємо (?:файли )?cookie|цей (?:веб-)?сайт використовує (?:файли )?cookie|"
    r"мы используем (?:файлы )?cookie|этот сайт использует (?:файлы )?cookie|"
    r"utilizziamo i cookie|questo sito utilizza (?:i )?cookie)",
    re.IGNORECASE,
)
_CONSENT_BUTTON = re.compile(
    r"^(?:accept(?: all)?(?: cookies)?|reject all|decline|agree|i agree|ok, got it|got it|"
    r"manage (?:options|preferences)|alle akzeptieren|akzeptieren|ablehnen|alle ablehnen|"
    r"tout accepter|accepter|tout refuser|refuser|aceptar(?: todo| todas)?|rechazar(?: todo)?|"
    r"прийняти(?: все| всі)?|відхилити|принять(?: все)?|отклонить|accetta(?: tutti)?|rifiuta)$",
    re.IGNORECASE,
)
_SUBSCRIBE = re.compile(
    r"^(?:subscribe|sign up|get our|join our|abonnieren|newsletter abonnieren|jetzt abonnieren|"
    r"abonnez-vous|inscrivez-vous|s'abonner|suscríbete|suscribirse|regístrate|"
    r"підпишіться|підписатися|підписуйтесь|подпишитесь|подписаться|iscriviti|abbonati)\b"
    r"|\b(?:newsletter|розсилк\w*|рассылк\w*|boletín|infolettre)\b",
    re.IGNORECASE,
)
_FOLLOW = re.compile(
    r"^(?:follow us|follow \S+(?: \S+)? on|folgen sie uns|suivez-nous|síguenos|seguici|слідкуйте за нами|"
    r"стежте за нами|читайте нас|следите за нами|подписывайтесь|приєднуйтесь)\b",
    re.IGNORECASE,
)
_ADVERT = re.compile(
    r"^(?:advertisement|advertisements|advertising|sponsored(?: content)?|paid content|ad|ads|"
    r"anzeige|werbung|publicité|publicidad|publicidade|pubblicità|реклама|рекламa|"
    r"(?:story|article) continues below(?: advertisement)?|continue reading below|"
    r"continue reading(?: the main story)?|scroll to continue(?: with content)?|"
    r"weiterlesen nach der anzeige|la suite après (?:cette )?publicité)$",
    re.IGNORECASE,
)
_SKIP = re.compile(
    r"^(?:skip to (?:main )?(?:content|navigation|search|footer)|jump to (?:navigation|content|search)|"
    r"zum inhalt(?: springen)?|direkt zum inhalt|aller au contenu(?: principal)?|passer au contenu|"
    r"saltar al contenido(?: principal)?|ir al contenido|перейти до (?:вмісту|змісту|основного вмісту)|"
    r"перейти к (?:содержанию|основному содержанию)|vai al contenuto|back to top|zurück nach oben|"
    r"retour en haut|volver arriba|нагору|наверх|toggle navigation|menu|menü|меню|search|suche|"
    r"rechercher|buscar|пошук|поиск|log ?in|sign in|anmelden|se connecter|iniciar sesión|увійти|войти|"
    r"close|schließen|fermer|cerrar|chiudi|закрити|закрыть|by|von|par|por|від|от)$",
    re.IGNORECASE,
)
_COPYRIGHT = re.compile(
    r"^(?:©|\(c\)|℗|copyright\s*(?:©|\(c\))?\s*(?:\d{4}|by\b|$))|\b(?:all rights reserved|alle rechte vorbehalten|tous droits réservés|"
    r"todos los derechos reservados|усі права захищені|всі права захищені|все права защищены|"
    r"tutti i diritti riservati)\b",
    re.IGNORECASE,
)
_TAGS = re.compile(
    r"^(?:tags|tagged|tagged with|topics|keywords|filed under|schlagwörter|schlagworte|themen|"
    r"stichwörter|mots-clés|mots clés|étiquettes|thèmes|etiquetas|temas|palabras clave|теги|мітки|"
    r"ключові слова|ключевые слова|теми|темы|argomenti)\s*[:：]",
    re.IGNORECASE,
)
_READING_TIME = re.compile(
    r"^(?:(?:estimated )?reading time|lesezeit|temps de lecture|tiempo de lectura|tempo de leitura|"
    r"tempo di lettura|час читання|время чтения)\s*[:：]?\s*\d+|^\d+\s*(?:min(?:ute)?s?|minuten|хв|мин)"
    r"\.?\s*(?:read|lesezeit|de lecture|de lectura|читання|чтения)$",
    re.IGNORECASE,
)
_CJK_SHARE = re.compile(
    r"^(?:この(?:ニュース|記事)を)?(?:シェア|ツイート|共有)(?:する)?$|^分享(?:到|至)?\S{0,12}$"
)
# Share and view counters: "12", "3.409", "1,2K" (a year such as "2025" is not one).
_COUNTER = re.compile(r"^(?:\d{1,3}|\d{1,3}(?:[.,\s]\d{3})+|\d+(?:[.,]\d+)?\s?[kKmM])$")
_COPY_LINK = re.compile(
    r"^(?:copy link|copy the link|link kopieren|copier le lien|copiar (?:el )?enlace|"
    r"скопіювати посилання|копіювати посилання|скопировать ссылку|copia (?:il )?link)$"
)
_HASHTAGS = re.compile(r"^(?:#[^\s#]+\s*){2,}$")
_HOME_WORDS = (
    r"home|homepage|startseite|start|accueil|inicio|portada|головна|главная|pagina iniziale|"
    r"strona główna|início"
)
_BREADCRUMB_HOME = re.compile(rf"^(?:{_HOME_WORDS})\s*(?:>|›|»|/|\||→|•|·|::)\s*\S", re.IGNORECASE)
_BREADCRUMB_SEPARATORS = re.compile(r"\s*(?:>|›|»|→|/|\|)\s*")
_READ_ALSO_LINE = re.compile(
    r"^(?:read more|read also|also read|see also|related|more|watch|listen|"
    r"читайте також|читайте також|дивіться також|читайте также|смотрите также|"
    r"lesen sie auch|lesen sie mehr|mehr dazu|mehr zum thema|siehe auch|à lire aussi|a lire aussi|"
    r"lire aussi|voir aussi|lee también|lea también|leer también|ver también|te puede interesar|"
    r"leggi anche|vedi anche|leia também|veja também)(?:\s+[^\W\d_]+){0,2}\s*[:：»›>|–—-]\s*\S",
    re.IGNORECASE,
)
_TRAILER_HEADINGS = frozenset(
    " ".join(phrase.split())
    for phrase in """
    related|related news|related articles|related stories|related posts|related content|
    related coverage|related topics|related reading|related links|read more|read also|also read|
    see also|more stories|more news|more articles|more on this story|more on this topic|
    you may also like|you might also like|you may be interested in|recommended|recommended for you|
    recommended stories|recommended articles|most read|most popular|most viewed|trending|
    trending now|latest news|latest stories|top stories|don't miss|don’t miss|comments|
    leave a comment|leave a reply|join the conversation|what to read next|
    читайте також|читайте також:|дивіться також|також читайте|інші новини|схожі новини|
    новини по темі|новини за темою|вас може зацікавити|рекомендуємо|популярне|останні новини|
    коментарі|читайте также|смотрите также|другие новости|похожие новости|новости по теме|
    вам может быть интересно|рекомендуем|популярное|последние новости|комментарии|
    lesen sie auch|mehr zum thema|das könnte sie auch interessieren|das könnte sie interessieren|
    weitere artikel|weitere nachrichten|auch interessant|ähnliche artikel|meistgelesen|
    meistgelesene artikel|empfohlene artikel|kommentare|siehe auch|mehr dazu|
    à lire aussi|a lire aussi|lire aussi|sur le même sujet|sur le meme sujet|voir aussi|
    vous aimerez aussi|vous aimerez aussi|articles similaires|articles liés|les plus lus|
    à lire également|dans la même rubrique|commentaires|
    lee también|lea también|leer también|te puede interesar|también te puede interesar|
    noticias relacionadas|artículos relacionados|más noticias|lo más leído|ver también|
    relacionados|relacionadas|comentarios|
    leggi anche|potrebbe interessarti|articoli correlati|notizie correlate|i più letti|
    leia também|veja também|notícias relacionadas|você pode gostar|você também pode gostar|
    mais lidas|zobacz również|zobacz też|czytaj także|czytaj też|przeczytaj też|polecamy|
    lees ook|gerelateerde artikelen|ilgili haberler|bunlar da ilginizi çekebilir|baca juga|
    berita terkait|관련기사|관련 기사|많이 본 뉴스|あわせて読みたい|こちらもおすすめ|推荐阅读|相关推荐|
    热门推荐|
    相关新闻|相关阅读|相关文章|相關新聞|相關文章|延伸阅读|延伸閱讀|関連記事|関連ニュース|
    اقرأ أيضا|اقرأ أيضاً|اقرأ ايضا|مواضيع ذات صلة|أخبار ذات صلة|مقالات ذات صلة
    """.split("|")
    if phrase.strip()
)
_COMMENT_HEADINGS = frozenset(
    "comments|leave a comment|leave a reply|join the conversation|коментарі|комментарии|"
    "kommentare|commentaires|comentarios|commenti|comentários".split("|")
)
_TRAILER_PREFIXES = re.compile(
    r"^(?:more from|more in|more on|more stories from|more news from|mehr aus|mehr von|mehr zu|"
    r"plus de|plus d'articles|más de|más noticias de|більше новин|більше з|ще з|больше новостей|"
    r"ещё из|еще из|altro da|mais de)\s",
    re.IGNORECASE,
)
_EDGE_PUNCTUATION = "\"'“”„«»‹›<>()[]{}:：;,.!?…→←↑↓»›|/\\-–—_*#•·●▪►▶✓ \t"
_TOKEN_SPLIT = re.compile(r"[\s|/·•,;:：()（）\[\]<>«»›‹→]+")
_PARENTHESES = re.compile(r"\s*[(（][^)）]{0,40}[)）]")
_SENTENCE_END = re.compile(r"[.!?。！？]\s")
_PROSE_END = re.compile(r"[.!?。！？…][\"'”’»)]*$")


def _normalize(line: str) -> str:
    line = unicodedata.normalize("NFC", line).casefold()
    line = line.replace("\u00a0", " ").replace("’", "'")
    return " ".join(line.strip(_EDGE_PUNCTUATION).split())


@functools.cache
def language_names() -> frozenset[str]:
    """Names of common languages, casefolded: autonyms and names in a dozen UI languages."""
    import langcodes

    names: set[str] = set(_EXTRA_LANGUAGE_NAMES)
    for code in _LANGUAGE_CODES:
        language = langcodes.Language.get(code)
        for display in (code, *_NAME_DISPLAY_LANGUAGES):
            try:
                name = language.display_name(display)
            except LookupError:
                continue
            name = _normalize(name)
            names.add(name)
            names.add(_normalize(_PARENTHESES.sub("", name)))
    names.discard("")
    return frozenset(names)


def _tokens(line: str) -> list[str]:
    return [token for token in _TOKEN_SPLIT.split(_normalize(line)) if token]


def _count_language_names(tokens: list[str]) -> int | None:
    """How many language names `tokens` spell, or None if some token is neither a name nor a picker word."""
    names = language_names()
    count = 0
    index = 0
    while index < len(tokens):
        for width in (3, 2, 1):
            if index + width <= len(tokens) and " ".join(tokens[index : index + width]) in names:
                count += 1
                index += width
                break
        else:
            if tokens[index] not in _PICKER_WORDS:
                return None
            index += 1
    return count


def _is_language_picker(line: str) -> bool:
    stripped = _PARENTHESES.sub("", line)
    tokens = _tokens(stripped)
    if not tokens or len(tokens) > _MAX_LIST_TOKENS:
        return False
    if len(tokens) >= 2 and all(len(t) == 2 and t.isascii() and t in _UI_CODES for t in tokens):
        return True
    count = _count_language_names(tokens)
    if count is None:
        return False
    return count >= 2 or any(token in _LANGUAGE_NOUNS for token in tokens)


def _is_share_line(line: str) -> bool:
    tokens = [t for t in _tokens(line) if not t.isdigit()]
    if not tokens or len(tokens) > _MAX_LIST_TOKENS:
        return False
    strong = sum(1 for token in tokens if token in _SHARE_STRONG)
    unknown = sum(1 for token in tokens if token not in _SHARE_STRONG and token not in _SHARE_WEAK)
    if unknown == 0:
        return strong > 0 or tokens == ["copy", "link"]
    # A row of share buttons with a label or two the vocabulary lacks ("Whatsapp Facebook Pin Baixar").
    return strong >= 2 and unknown <= strong and len(tokens) <= 6


def _is_breadcrumb(line: str) -> bool:
    if _BREADCRUMB_HOME.match(line):
        parts = [p for p in _BREADCRUMB_SEPARATORS.split(line) if p]
        return len(parts) >= 2 and all(len(p.split()) <= 5 for p in parts)
    if not any(sep in line for sep in (">", "›", "»", "→")):
        return False
    parts = [p for p in re.split(r"\s*(?:>|›|»|→)\s*", line) if p]
    return (
        len(parts) >= 3
        and all(len(p.split()) <= 4 for p in parts)
        and not _SENTENCE_END.search(line + " ")
    )


def is_language_name(line: str) -> bool:
    """Whether `line` is just the name of a language ("English", "Українська", "中文（简体）")."""
    if len(line) > _MAX_NAME_CHARS:
        return False
    normalized = _normalize(_PARENTHESES.sub("", line))
    return bool(normalized) and normalized in language_names()


def is_trailer_heading(line: str) -> bool:
    """Whether `line` is a heading that introduces links to other articles ("Related News")."""
    if len(line) > 80:
        return False
    normalized = _normalize(line)
    if not normalized:
        return False
    if normalized in _TRAILER_HEADINGS:
        return True
    return bool(_TRAILER_PREFIXES.match(normalized)) and len(normalized.split()) <= 6


def is_chrome_line(line: str) -> bool:
    """Whether one line of text is site chrome rather than article text."""
    if len(line) > _MAX_CHROME_CHARS * 2:
        return False
    parts = line.split()
    words = len(parts)
    line = " ".join(parts)
    if not line or len(line) > _MAX_CHROME_CHARS:
        return False
    if words <= 80 and "cookie" in line.casefold() and _COOKIE.search(line):
        return True
    if words > 30:
        return False
    if not any(ch.isalnum() for ch in line):
        # Only punctuation or symbols: a separator, an icon, a button glyph.
        return True
    normalized = _normalize(line)
    checks = (
        _is_share_line(line),
        _is_language_picker(line),
        is_trailer_heading(line),
        bool(_CONSENT_BUTTON.match(normalized)),
        bool(_ADVERT.match(normalized)),
        bool(_SKIP.match(normalized)),
        words <= 25 and bool(_COPYRIGHT.search(line)),
        words <= 15 and bool(_SUBSCRIBE.search(normalized)),
        words <= 12 and bool(_FOLLOW.match(normalized)),
        bool(_TAGS.match(line.strip())),
        bool(_HASHTAGS.match(line.strip())),
        bool(_READING_TIME.match(normalized)),
        bool(_CJK_SHARE.match(normalized)),
        bool(_COUNTER.match(line.strip())),
        bool(_COPY_LINK.match(normalized)),
        _is_breadcrumb(line),
        words <= 25 and bool(_READ_ALSO_LINE.match(line.strip(" \t([{«\"'“"))),
    )
    return any(checks)


def is_chrome_paragraph(text: str) -> bool:
    """Whether a paragraph (possibly several lines) is chrome as a whole."""
    lines = [line for line in text.split("\n") if line.strip()]
    if not lines or len(text) > _MAX_CHROME_CHARS * 2:
        return False
    if all(is_chrome_line(line) for line in lines):
        return True
    if len(lines) >= 2 and all(
        is_language_name(line) or _is_language_picker(line) for line in lines
    ):
        return True
    return len(lines) >= 2 and is_chrome_line(" ".join(lines))


def strip_chrome_lines(text: str) -> str:
    """Remove chrome lines from inside a multi-line paragraph."""
    if "\n" not in text:
        return "" if is_chrome_line(text) else text
    return "\n".join(line for line in text.split("\n") if line.strip() and not is_chrome_line(line))


def _is_headline_like(text: str) -> bool:
    return len(text) <= _MAX_TEASER_CHARS // 2 and not _PROSE_END.search(text)


def _is_prose(text: str) -> bool:
    return len(text) > _MAX_TEASER_CHARS or (len(text) >= 60 and bool(_PROSE_END.search(text)))


def _trailer_end(texts: list[str], chrome: list[bool], index: int) -> int | None:
    """Decide what a trailer heading at `index` introduces.

    Returns `index` when the heading ends the article: some article text comes before it and little
    prose after it (a list of headlines, teasers, a footer). Otherwise returns the end of the box it
    heads (the heading and the headline-like lines right after it, a "Read also" box inside the
    article), or None when no article text comes before it.
    """
    lengths = [0 if flag else len(text) for text, flag in zip(texts, chrome, strict=True)]
    before = sum(lengths[:index])
    if before < _MIN_TEXT_BEFORE_TRAILER:
        return None
    end = index + 1
    while end < len(texts) and (chrome[end] or not texts[end] or _is_headline_like(texts[end])):
        end += 1
    prose = sum(
        len(text)
        for text, flag in zip(texts[end:], chrome[end:], strict=True)
        if not flag and _is_prose(text)
    )
    if prose < max(_MIN_PROSE_AFTER_TRAILER, before * _PROSE_AFTER_SHARE):
        return index
    if _normalize(texts[index]) in _COMMENT_HEADINGS and before >= sum(lengths) / 2:
        return index
    return end


def is_scanned(index: int, count: int) -> bool:
    """Whether paragraph `index` of `count` is examined for chrome.

    In a long text only the first and last `EDGE_PARAGRAPHS` are: chrome sits at the edges of a
    saved page, and a 25 MB text must not pay for a chrome check on every one of its paragraphs.
    """
    return (
        count <= 2 * EDGE_PARAGRAPHS or index < EDGE_PARAGRAPHS or index >= count - EDGE_PARAGRAPHS
    )


def find_chrome(texts: list[str]) -> tuple[list[bool], int]:
    """Flag the chrome paragraphs of an article and find where its trailer begins.

    Returns one flag per paragraph and the index the article ends at (`len(texts)` if it has no
    trailer). Runs of two or more paragraphs that are each just a language name are a language
    picker; a "Read also" box inside the article (its heading and the headlines under it) is chrome.
    """
    count = len(texts)
    scanned = [index for index in range(count) if is_scanned(index, count)]
    chrome = [False] * count
    for index in scanned:
        chrome[index] = is_chrome_paragraph(texts[index])
    names = [False] * count
    for index in scanned:
        names[index] = is_language_name(texts[index])
    for index in scanned:
        if names[index] and (index == 0 or not names[index - 1]):
            end = index
            while end < count and names[end]:
                end += 1
            if end - index >= 2:
                chrome[index:end] = [True] * (end - index)
    for index in scanned:
        if not is_trailer_heading(texts[index]):
            continue
        end = _trailer_end(texts, chrome, index)
        if end == index:
            return chrome, index
        if end is not None:
            chrome[index:end] = [True] * (end - index)
    return chrome, count


def strip_chrome(paragraphs: list[str]) -> list[str]:
    """Remove chrome paragraphs and chrome lines, and cut at a trailer heading in the later part."""
    chrome, end = find_chrome(paragraphs)
    kept = []
    for index, (text, flag) in enumerate(zip(paragraphs[:end], chrome[:end], strict=True)):
        if flag:
            continue
        if is_scanned(index, len(paragraphs)):
            text = strip_chrome_lines(text)
        if text.strip():
            kept.append(text)
    return kept
