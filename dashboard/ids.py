"""Component ids, '<page>-<thing>', in one place so pages and tests agree."""

URL = "url"
LANG = "lang"  # the NL/EN switch; its value is the interface language
HTML_LANG = "html-lang"
NAV_LINKS = "nav-links"
NAV_TOGGLER = "nav-toggler"
NAV_COLLAPSE = "nav-collapse"
NAV_MAIN = "nav-main"  # the <nav> of the toolkit's parts
SUBNAV = "subnav"  # the pages of the current part of the toolkit
SKIP_LINK = "skip-link"
BRAND_TAG = "brand-tag"
PAGE_TITLE = "page-title"  # the browser tab's title, set by a clientside callback
PAGE_TITLE_SINK = "page-title-sink"
PAGE = "page-content"
FOOTER = "footer"

KNOWLEDGE_SEARCH = "knowledge-search"
KNOWLEDGE_BLOCK = "knowledge-block"
KNOWLEDGE_COUNT = "knowledge-count"
KNOWLEDGE_LIST = "knowledge-list"
KNOWLEDGE_DETAIL = "knowledge-detail"

DEMO_BANNER = "demo-banner"
