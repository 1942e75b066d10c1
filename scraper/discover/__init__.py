"""Discovery: pages that list other pages.

``pages`` reads a site's HTML (section menus, listings, pagination, language switches);
``feeds`` reads what a site publishes for machines (sitemaps incl. Google News, RSS/Atom,
the WordPress REST API). Both are pure: text in, URLs (with what the list says of them) out.
"""
