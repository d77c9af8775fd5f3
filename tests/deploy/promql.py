"""Metric names out of PromQL expressions and out of a /metrics page."""
import re

from prometheus_client.parser import text_string_to_metric_families

KEYWORDS = {
    "by", "without", "on", "ignoring", "group_left", "group_right", "bool", "and", "or",
    "unless", "offset", "inf", "nan",
}
# series Prometheus makes itself when scraping, never exported by a service
SYNTHETIC = {"up", "scrape_duration_seconds", "scrape_samples_scraped", "ALERTS"}

_STRING = re.compile(r'"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\'')
_MATCHERS = re.compile(r"\{[^}]*\}")
_RANGES = re.compile(r"\[[^\]]*\]")
_LABEL_LISTS = re.compile(r"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")
_IDENTIFIER = re.compile(r"(?<![\w:.])([a-zA-Z_:][a-zA-Z0-9_:]*)(?=\s*([{\[\s)]|$|[-+*/<>=!,]))")


def metric_names(expr: str) -> set[str]:
    """Identifiers used as metric names: not functions, keywords, labels or numbers."""
    text = _STRING.sub('""', expr)
    text = _MATCHERS.sub(" ", text)
    text = _RANGES.sub(" ", text)
    text = _LABEL_LISTS.sub(" ", text)
    names = set()
    for match in _IDENTIFIER.finditer(text):
        name = match.group(1)
        rest = text[match.end():].lstrip()
        if rest.startswith("("):  # a function call
            continue
        if name.lower() in KEYWORDS or name in SYNTHETIC:
            continue
        names.add(name)
    return names


SUFFIXES = {
    "counter": ("_total", "_created"),
    "histogram": ("_bucket", "_sum", "_count", "_created"),
    "summary": ("_sum", "_count", "_created"),
    "gauge": ("",),
    "info": ("_info",),
}


def exported_names(metrics_text: str) -> set[str]:
    """Every series name a /metrics page can carry, including families with no sample yet."""
    names = set()
    for family in text_string_to_metric_families(metrics_text):
        names.add(family.name)
        for suffix in SUFFIXES.get(family.type, ("",)):
            names.add(family.name + suffix)
        names.update(sample.name for sample in family.samples)
    return names
