from scraper.urls import canonical


def test_percent_escape_case_and_raw_arabic_give_one_url():
    lower = "http://127.0.0.1:8000/ar/%d8%aa%d8%af%d8%b4%d9%8a%d9%86/"
    upper = "http://127.0.0.1:8000/ar/%D8%AA%D8%AF%D8%B4%D9%8A%D9%86/"
    raw = "http://127.0.0.1:8000/ar/تدشين/"
    assert canonical(lower) == canonical(upper) == canonical(raw) == upper


def test_tracking_parameters_fragment_and_default_port_are_dropped():
    url = "HTTPS://Sahara.MA:443/ar/x/?utm_source=fb&fbclid=1&b=2&a=1#comments"
    assert canonical(url) == "https://sahara.ma/ar/x/?a=1&b=2"


def test_relative_links_join_the_base():
    assert canonical("../y/", "https://a.example/ar/x/") == "https://a.example/ar/y/"


def test_trailing_slash_is_kept_as_given():
    assert canonical("https://a.example/x") != canonical("https://a.example/x/")
