from scraper.text import fold


def test_harakat_and_tatweel_are_dropped():
    assert fold("التَّنْمِيَةُ المُسْتَدَامَةُ") == fold("التنمية المستدامة")
    assert fold("مـــرحبا") == "مرحبا"


def test_alef_ya_and_ta_marbuta_forms_fold_together():
    assert fold("أحمد إسلام آمال ٱلله") == "احمد اسلام امال الله"
    assert fold("على") == fold("علي")
    assert fold("مدرسة") == fold("مدرسه")


def test_hamza_on_waw_and_ya_stays_one_character():
    # A decomposed hamza (U+0654) would split the word in SQLite's tokenizer.
    assert "\u0654" not in fold("مسؤول رئيس")


def test_latin_case_and_accents_fold_and_digits_become_ascii():
    assert fold("Économie ÉLÈVE") == "economie eleve"
    assert fold("٢٠٢٥ و ۱۴۰۴") == "2025 و 1404"
