"""A synthetic news corpus in Arabic and French, for the search benchmark.

Articles are generated from word lists written for this benchmark: Arabic nouns take the
article and the proclitics real text attaches to them (ال، وال، بال، لل، كال، فال، و), some
writers drop the hamza on alef, a few articles are fully vocalized, and a long tail of
generated proper names gives the index a realistic vocabulary size. French text has accents
and elisions (l', d', qu'). Everything is seeded: the same ``n`` and seed give the same corpus.

Each generated article also says which (lemma, clitic) pairs it used, so the search benchmark
can score recall and precision of clitic search against a ground truth.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta, timezone
from itertools import accumulate
from typing import Any


def _words(text: str) -> list[str]:
    """A word list written one word after another, without repeats."""
    return list(dict.fromkeys(text.split()))


# ---------------------------------------------------------------------- Arabic word lists
AR_NOUNS = _words(
    """
اقتصاد مدرسة تنمية حكومة وزارة وزير مشروع قطاع سوق شركة مؤسسة جهة مدينة قرية منطقة
برنامج استثمار تجارة صناعة فلاحة سياحة تعليم صحة مستشفى طبيب مريض طالب أستاذ جامعة
بحث علم ثقافة فن مسرح سينما موسيقى كتاب رواية شاعر معرض مهرجان رياضة فريق مباراة لاعب
مدرب بطولة كأس ملعب هدف نتيجة منتخب جمهور انتخابات برلمان حزب مجلس رئيس نائب قانون
مرسوم قرار دستور عدالة محكمة قاض محامي شرطة أمن جيش حدود سلام حرب اتفاق مفاوضات دبلوماسية
سفير سفارة علاقات تعاون شراكة منظمة اتحاد قمة اجتماع ندوة مؤتمر لقاء حوار نقاش تقرير دراسة
إحصاء نسبة معدل نمو تضخم أسعار ميزانية ضريبة بنك قرض تمويل ديون صادرات واردات ميناء مطار
طريق قطار سيارة نقل طاقة كهرباء ماء مياه سد مطر جفاف مناخ بيئة غابة بحر شاطئ صيد فلاح
زراعة محصول قمح زيتون حبوب ماشية سكن عقار بناء مسكن أسرة طفل امرأة شباب عمل بطالة أجر
مقاولة تشغيل تكوين مهارة رقمنة تكنولوجيا إنترنت هاتف شبكة منصة تطبيق بيانات معلومات أمن
مواطن مجتمع جمعية تضامن إدارة خدمة مرفق ولاية عمالة إقليم جماعة بلدية سكان إحصائيات
صحافة إعلام قناة إذاعة جريدة خبر مقال حدث زيارة افتتاح تدشين إطلاق توقيع إعلان حفل جائزة
تكريم ذكرى عيد مناسبة شهر سنة يوم أسبوع ساعة موسم مرحلة فترة مستقبل تاريخ حضارة تراث
صناعة تقليدية حرفة حرفي صانع تعاونية منتوج جودة تصدير مغرب عاصمة دولة قارة عالم
"""
)

AR_ADJECTIVES = _words(
    """
وطني دولي جهوي محلي اقتصادي اجتماعي سياسي ثقافي رياضي جديد كبير صغير مهم أساسي رئيسي
عام خاص عمومي رقمي تقليدي حديث مستدام شامل مندمج مغربي عربي إفريقي أوروبي متوسطي أول
ثاني أخير سنوي شهري قوي ضعيف مرتفع منخفض عالي متوسط مقبل ماضي حالي مستقبلي فلاحي صناعي
سياحي تعليمي صحي بيئي مالي تجاري قانوني قضائي أمني عسكري دبلوماسي برلماني حكومي
"""
)

AR_VERBS = _words(
    """
قال أكد أعلن أضاف أشار أوضح كشف نظم افتتح دشن أطلق وقع استقبل ترأس شارك حضر ناقش درس
قرر صادق اعتمد أعلنت أكدت أشارت أوضحت كشفت نظمت شهدت عرفت سجلت بلغت ارتفعت انخفضت
تراجعت حققت يهدف يعمل يسعى يتوقع يعرف يشهد يمثل يعتبر يبلغ يصل يواصل يتضمن يتعلق تهدف
تعمل تسعى تتوقع تعرف تشهد تمثل تعتبر تبلغ تصل تواصل تتضمن تتعلق سيتم يتم تم أصبح كان
"""
)

AR_FUNCTION = _words(
    """
في من على إلى عن مع أن إن التي الذي الذين هذا هذه ذلك تلك كما حيث بعد قبل خلال بين عند
حول ضد نحو منذ لدى دون غير كل بعض جميع أكثر أقل أيضا فقط ثم أو لكن لأن لم لن قد ما لا
"""
)

AR_PLACES = _words(
    """
المغرب الرباط الدار_البيضاء مراكش فاس طنجة أكادير مكناس وجدة تطوان العيون الداخلة كلميم
الحسيمة بني_ملال آسفي الجديدة القنيطرة سلا تازة الناظور ورزازات الراشيدية إفران الصويرة
الجزائر تونس مصر فرنسا إسبانيا أوروبا إفريقيا الصين أمريكا السنغال موريتانيا
"""
)

AR_PEOPLE = _words(
    """
محمد أحمد يوسف عبد_الله فاطمة خديجة سعيد حسن رشيد نادية سهام كريم مريم عمر ليلى سلمى
إدريس العربي الحسين زينب أمينة هشام نبيل جمال سميرة حميد عزيز مصطفى إبراهيم عائشة
"""
)

# Three-letter roots and noun patterns (1, 2, 3 = the root's letters): derived words give the
# vocabulary its realistic size (many are real words: مكتب، كتابة، استثمار، تنظيم ...).
AR_ROOTS = _words(
    """
كتب درس علم عمل حكم قرر نظم شرك نمو صنع زرع تجر سوق نقل بني سكن صحح طبب علج رسم لعب
نشر خبر عرض حضر شهد قدم خدم دعم نفذ طلق فتح جمع وقع حدث ذكر فكر بحث كشف سجل حقق وفر
قتل سلم أمن حرب جند دفع مول صرف حسب قيس رقب دقق نقد شرع سلط قضي حكي روي كلم خطب سمع
نظر بصر فهم عرف جهل قرأ حفظ نسخ طبع صور لون رقم حسن جمل قبح كبر صغر طول قصر وسع ضيق
ربح خسر بيع شري رخص غلو نفع ضرر صلح فسد ثبت غير بدل نقص زيد كمل تمم بدأ نهي ختم سبق
لحق تبع قود سير رحل سفر وصل رجع خرج دخل صعد نزل ركب مشي جري قفز سبح طير هبط حمل وضع
رفع خفض فرح حزن غضب رضي خوف أمل رجو دعو نصح وعد وعظ شكر حمد صبر عدل ظلم حرر قيد
"""
)
AR_PATTERNS = _words(
    "1ا23 م12و3 م123 م123ة ت12ي3 است12ا3 12ا3ة 12ي3 م1ا23ة ت1ا23 ا1ت2ا3 12و3 ان12ا3 123"
)

# Syllables for the long tail of names (surnames, small places, brands): written for this file.
AR_SYLLABLES = _words(
    """
بن بو عل ود سل مر كر زا تو نا لي جا فر غا ها شر دي قا صا طو ضي خل رو مي سي ني
"""
)

# Suffixes of inflected nouns: feminine/masculine plural, dual, possessive pronouns.
AR_SUFFIXES = _words("ات ين ون ان ها هم هن نا ه ي كم")

# Harakat used to vocalize a few articles (fatha, damma, kasra, sukun, shadda, tanwin).
HARAKAT = ["\u064e", "\u064f", "\u0650", "\u0652", "\u0651", "\u064b"]

# ---------------------------------------------------------------------- French word lists
FR_NOUNS = _words(
    """
économie gouvernement ministère ministre développement société entreprise marché secteur
projet programme région ville commune village école élève étudiant université enseignement
santé hôpital médecin patient recherche science culture théâtre cinéma musique festival
exposition livre roman poète sport équipe match joueur entraîneur championnat coupe stade
but résultat sélection public élection parlement parti conseil président député loi décret
décision constitution justice tribunal juge avocat police sécurité armée frontière paix
accord négociation diplomatie ambassadeur ambassade relation coopération partenariat
organisation union sommet réunion colloque conférence rencontre dialogue débat rapport
étude statistique taux croissance inflation prix budget impôt banque crédit financement
dette exportation importation port aéroport route train voiture transport énergie
électricité eau barrage pluie sécheresse climat environnement forêt mer plage pêche
agriculteur agriculture récolte blé olivier céréale bétail logement immobilier construction
famille enfant femme jeunesse emploi chômage salaire entreprise formation compétence
numérique technologie internet téléphone réseau plateforme application donnée information
citoyen association solidarité administration service province population presse média
chaîne radio journal article événement visite inauguration lancement signature annonce
cérémonie prix hommage anniversaire fête occasion mois année jour semaine heure saison
étape période avenir histoire patrimoine artisanat artisan coopérative produit qualité
capitale pays continent monde
"""
)

FR_ADJECTIVES = _words(
    """
national international régional local économique social politique culturel sportif nouveau
grand petit important essentiel principal général privé public numérique traditionnel
moderne durable intégré marocain arabe africain européen méditerranéen premier deuxième
dernier annuel mensuel fort faible élevé bas moyen prochain passé actuel agricole industriel
touristique éducatif sanitaire environnemental financier commercial juridique judiciaire
"""
)

FR_VERBS = _words(
    """
a déclaré affirmé annoncé ajouté souligné précisé révélé organisé inauguré lancé signé
reçu présidé participé assisté discuté examiné décidé adopté approuvé enregistré atteint
augmenté baissé reculé réalisé vise travaille cherche prévoit connaît représente considère
atteint poursuit comprend concerne devient était sera est sont ont
"""
)

FR_FUNCTION = _words(
    """
le la les un une des du de à au aux en dans sur sous avec pour par entre après avant pendant
selon depuis vers contre sans chez et ou mais donc car que qui dont où ce cette ces son sa
ses leur leurs plus moins aussi très déjà encore ainsi lors tout tous toute toutes
"""
)

FR_PLACES = _words(
    """
Maroc Rabat Casablanca Marrakech Fès Tanger Agadir Meknès Oujda Tétouan Laâyoune Dakhla
Guelmim France Espagne Europe Afrique Algérie Tunisie Égypte Sénégal Mauritanie Chine
"""
)

FR_SYLLABLES = _words("ben bou al ou ri ma ka za to na li ja fa ga ha ché di ka sa tou mi si ni")

FR_STEMS = _words(
    """
organis développ financ gouvern construct investiss administr communic éduc format inform
particip produc transform modernis numéris régul protect sécuris préserv valoris promot
innov rénov restaur import export distribut consomm commerc industrialis urbanis électrific
mobilis coordin évalu planific réform négoci collabor accompagn encourag soutien engag
aménag équip install exploit fabric transport sensibilis recrut emploi licenci
"""
)
FR_SUFFIXES = _words("ation ement eur ateur ité ique iste age ance itude")

SITES = {
    "news-one.example": (
        "Africa/Casablanca",
        ["اقتصاد", "سياسة", "مجتمع", "رياضة", "ثقافة", "جهات", "دولي", "منوعات"],
        ["Économie", "Politique", "Société", "Sport", "Culture", "Régions", "Monde"],
    ),
    "news-two.example": (
        "Africa/Casablanca",
        ["أخبار وطنية", "اقتصاد", "رياضة", "فن", "تكنولوجيا", "صحة"],
        ["Nation", "Économie", "Sport", "Arts", "Tech", "Santé"],
    ),
    "news-three.example": (
        "Africa/Algiers",
        ["الحدث", "اقتصاد", "مجتمع", "رياضة", "ثقافة", "العالم", "رأي"],
        ["Actualité", "Économie", "Société", "Sport", "Culture", "Monde", "Opinion"],
    ),
}

# Clitics and how often an Arabic noun (or adjective agreeing with it) carries them.
AR_CLITICS = [
    ("", 0.36),
    ("ال", 0.34),
    ("وال", 0.08),
    ("بال", 0.06),
    ("لل", 0.05),
    ("و", 0.04),
    ("فال", 0.015),
    ("كال", 0.01),
    ("ب", 0.04),
    ("ل", 0.03),
]


@dataclass
class Doc:
    """One generated article."""

    index: int
    site: str
    language: str
    title: str
    subtitle: str
    body: str
    published_at: datetime
    categories: list[str]
    tags: list[str]
    authors: list[str]
    topic: int = 0
    # (lemma, clitic) pairs used in title and body, for the ground truth of clitic search
    lemmas: set[tuple[str, str]] = field(default_factory=set)
    # lemmas also used with a suffix (another word form: neither relevant nor a false match)
    inflected: set[str] = field(default_factory=set)

    def article_fields(self) -> dict[str, Any]:
        """The ``scraper.article.Article`` fields the benchmarks archive this doc with (a
        dict, so that a benchmark can build the Article of another checkout's scraper)."""
        return {
            "url": f"https://{self.site}/{self.language}/{self.published_at:%Y/%m/%d}/{self.index}/",
            "site": self.site,
            "language": self.language,
            "title": self.title,
            "subtitle": self.subtitle,
            "authors": self.authors,
            "published_at": self.published_at,
            "date_source": "jsonld",
            "categories": self.categories,
            "tags": self.tags,
            "body": self.body,
        }


class Generator:
    """Deterministic article factory: ``Generator(seed).docs(n)``."""

    def __init__(self, seed: int = 7, tail: int = 40_000) -> None:
        self.rng = random.Random(seed)
        rng = self.rng
        self.ar_tail = _names(rng, AR_SYLLABLES, tail, join="")
        self.fr_tail = [w.capitalize() for w in _names(rng, FR_SYLLABLES, tail // 2, join="")]
        self.ar_tags = [f"{rng.choice(AR_NOUNS)} {rng.choice(AR_ADJECTIVES)}" for _ in range(300)]
        self.fr_tags = [f"{rng.choice(FR_NOUNS)} {rng.choice(FR_ADJECTIVES)}" for _ in range(200)]
        self.start = datetime(2024, 1, 1, 8, 0, tzinfo=timezone(timedelta(hours=1)))
        self.clitics = [c for c, _ in AR_CLITICS]
        self.clitic_weights = list(accumulate(w for _, w in AR_CLITICS))
        derived = [
            p.replace("1", r[0]).replace("2", r[1]).replace("3", r[2])
            for r in AR_ROOTS
            for p in AR_PATTERNS
        ]
        self.ar_vocab = list(dict.fromkeys(AR_NOUNS + derived))
        fr_derived = [stem + suffix for stem in FR_STEMS for suffix in FR_SUFFIXES]
        self.fr_vocab = list(dict.fromkeys(FR_NOUNS + fr_derived))
        self.ar_topics = _topics(self.ar_vocab)
        self.fr_topics = _topics(self.fr_vocab)
        self.ar_noun_weights = _zipf(len(self.ar_vocab), 0.9)
        self.fr_noun_weights = _zipf(len(self.fr_vocab), 0.9)
        self.ar_tail_weights = _zipf(len(self.ar_tail))
        self.name_weights = {len(n): _zipf(len(n), 1.2) for n in (AR_PLACES, AR_PEOPLE, FR_PLACES)}
        self.fr_tail_weights = _zipf(len(self.fr_tail))

    def docs(self, n: int, arabic_share: float = 0.7) -> Iterator[Doc]:
        sites = list(SITES)
        span = 730 * 24 * 3600  # two years
        for i in range(n):
            rng = self.rng
            site = sites[i % len(sites)]
            language = "ar" if rng.random() < arabic_share else "fr"
            when = self.start + timedelta(seconds=int(span * i / max(n, 1)) + rng.randint(0, 3600))
            doc = self._article(i, site, language, when)
            yield doc

    # ------------------------------------------------------------------ Arabic
    def _ar_noun(self, doc: Doc, definite_bias: float = 0.0) -> str:
        rng = self.rng
        if rng.random() < 0.12:
            return self.rng.choices(self.ar_tail, cum_weights=self.ar_tail_weights)[0]
        lemma = self._pick(self.ar_vocab, self.ar_noun_weights, self.ar_topics[doc.topic])
        if rng.random() < 0.3:  # an inflected form: plural or possessive suffix
            suffix = rng.choice(AR_SUFFIXES)
            doc.inflected.add(lemma)
            stem = lemma[:-1] if lemma.endswith("ة") else lemma
            if lemma.endswith("ة") and suffix != "ات":
                stem += "ت"  # ta marbuta becomes ta before a suffix: مدرسة -> مدرستها
            return _attach(rng.choice(["", "", "و", "ب", "ل"]), stem + suffix)
        clitic = rng.choices(self.clitics, cum_weights=self.clitic_weights)[0]
        if definite_bias and not clitic and rng.random() < definite_bias:
            clitic = "ال"
        doc.lemmas.add((lemma, clitic))
        return _attach(clitic, lemma)

    def _ar_adjective(self, noun: str) -> str:
        adj = self.rng.choice(AR_ADJECTIVES)
        if noun.endswith("ة"):
            adj += "ة"
        definite = noun.startswith(("ال", "وال", "بال", "لل", "فال", "كال"))
        return "ال" + adj if definite else adj

    def _ar_sentence(self, doc: Doc, length: int) -> str:
        rng = self.rng
        words: list[str] = [rng.choice(AR_VERBS)]
        while len(words) < length:
            roll = rng.random()
            if roll < 0.45:
                noun = self._ar_noun(doc, definite_bias=0.3)
                words.append(noun)
                if rng.random() < 0.4:
                    words.append(self._ar_adjective(noun))
            elif roll < 0.81:
                words.append(rng.choice(AR_FUNCTION))
            elif roll < 0.85:
                words.append(self._place(AR_PLACES).replace("_", " "))
            elif roll < 0.92:
                words.append(rng.choice(AR_VERBS))
            else:
                words.append(self._place(AR_PEOPLE).replace("_", " "))
        if rng.random() < 0.3:
            words[0] = "و" + words[0]
        return " ".join(words) + rng.choice(["،", ".", ".", ".", "؛"])

    # ------------------------------------------------------------------ French
    def _fr_noun(self, doc: Doc) -> str:
        rng = self.rng
        if rng.random() < 0.1:
            return self.rng.choices(self.fr_tail, cum_weights=self.fr_tail_weights)[0]
        noun = self._pick(self.fr_vocab, self.fr_noun_weights, self.fr_topics[doc.topic])
        roll = rng.random()
        if roll < 0.3 and noun[0] in "aeéèêiouh":
            return rng.choice(["l'", "d'", "l’"]) + noun
        if roll < 0.6:
            return rng.choice(["le ", "la ", "les ", "un ", "une ", "du ", "de la "]) + noun
        return noun

    def _fr_sentence(self, doc: Doc, length: int) -> str:
        rng = self.rng
        words: list[str] = []
        while len(words) < length:
            roll = rng.random()
            if roll < 0.4:
                words.append(self._fr_noun(doc))
                if rng.random() < 0.35:
                    words.append(rng.choice(FR_ADJECTIVES))
            elif roll < 0.76:
                words.append(rng.choice(FR_FUNCTION))
            elif roll < 0.8:
                words.append(self._place(FR_PLACES))
            else:
                words.append(rng.choice(FR_VERBS))
        if rng.random() < 0.1:
            words.insert(1, "qu'il")
        text = " ".join(words)
        return text[0].upper() + text[1:] + rng.choice([".", ".", ",", ";"])

    # ------------------------------------------------------------------ articles
    def _article(self, i: int, site: str, language: str, when: datetime) -> Doc:
        rng = self.rng
        _tz, ar_sections, fr_sections = SITES[site]
        doc = Doc(i, site, language, "", "", "", when, [], [], [], topic=rng.randrange(TOPICS))
        if language == "ar":
            doc.title = self._ar_sentence(doc, rng.randint(6, 11)).rstrip("،.؛")
            doc.subtitle = self._ar_sentence(doc, rng.randint(10, 18))
            paragraphs = [
                " ".join(
                    self._ar_sentence(doc, rng.randint(8, 22)) for _ in range(rng.randint(2, 5))
                )
                for _ in range(rng.randint(3, 8))
            ]
            doc.categories = _sections(rng, ar_sections, doc.topic)
            doc.tags = rng.sample(self.ar_tags, rng.randint(0, 4))
            doc.authors = [rng.choice(AR_PEOPLE).replace("_", " ")]
            if rng.random() < 0.2:  # writers who drop the hamza on alef
                paragraphs = [p.replace("أ", "ا").replace("إ", "ا") for p in paragraphs]
            if rng.random() < 0.02:  # a fully vocalized article
                paragraphs = [_vocalize(rng, p) for p in paragraphs]
                doc.title = _vocalize(rng, doc.title)
        else:
            doc.title = self._fr_sentence(doc, rng.randint(6, 12)).rstrip(".,;")
            doc.subtitle = self._fr_sentence(doc, rng.randint(12, 20))
            paragraphs = [
                " ".join(
                    self._fr_sentence(doc, rng.randint(8, 24)) for _ in range(rng.randint(2, 5))
                )
                for _ in range(rng.randint(3, 8))
            ]
            doc.categories = _sections(rng, fr_sections, doc.topic)
            doc.tags = rng.sample(self.fr_tags, rng.randint(0, 4))
            doc.authors = [rng.choice(["Salma", "Karim", "Nadia", "Youssef", "Claire", "Marc"])]
        doc.body = "\n\n".join(paragraphs)
        return doc

    def _place(self, names: list[str]) -> str:
        """A proper name: one of the list, the first ones most often (Zipf), or half of the
        time a rarer generated name."""
        tail, weights = (
            (self.fr_tail, self.fr_tail_weights)
            if names is FR_PLACES
            else (self.ar_tail, self.ar_tail_weights)
        )
        if self.rng.random() < 0.5:
            return self.rng.choices(tail, cum_weights=weights)[0]
        return self.rng.choices(names, cum_weights=self.name_weights[len(names)])[0]

    def _pick(
        self, vocab: list[str], weights: list[float], topic: tuple[list[str], list[float]]
    ) -> str:
        """A noun: mostly from the article's topic, otherwise from the whole vocabulary."""
        if self.rng.random() < 0.6:
            return self.rng.choices(topic[0], cum_weights=topic[1])[0]
        return self.rng.choices(vocab, cum_weights=weights)[0]


TOPICS = 8


def _topics(vocab: list[str]) -> list[tuple[list[str], list[float]]]:
    """The vocabulary split in ``TOPICS`` parts, each with cumulative Zipf weights."""
    parts = [vocab[t::TOPICS] for t in range(TOPICS)]
    return [(part, _zipf(len(part))) for part in parts]


def _sections(rng: random.Random, sections: list[str], topic: int) -> list[str]:
    main = sections[topic % len(sections)]
    others = [s for s in sections if s != main]
    return [main] + (rng.sample(others, 1) if rng.random() < 0.25 else [])


def _attach(clitic: str, lemma: str) -> str:
    return clitic + lemma  # لل + لقاء = للقاء: Arabic spelling needs no special case here


def _names(rng: random.Random, syllables: list[str], count: int, join: str) -> list[str]:
    seen: dict[str, None] = {}
    while len(seen) < count:
        seen.setdefault(join.join(rng.choices(syllables, k=rng.randint(2, 4))), None)
    return list(seen)


def _zipf(n: int, s: float = 1.0) -> list[float]:
    """Cumulative Zipf weights for ``n`` ranks (for ``random.choices(cum_weights=...)``)."""
    return list(accumulate(1.0 / (rank**s) for rank in range(1, n + 1)))


def _vocalize(rng: random.Random, text: str) -> str:
    out = []
    for ch in text:
        out.append(ch)
        if "\u0621" <= ch <= "\u064a" and rng.random() < 0.7:
            out.append(rng.choice(HARAKAT))
    return "".join(out)
