"""``{% term "remaining" %}``: a figure's label with its definition in an ``<abbr>``."""

from django import template
from django.utils.html import format_html
from django.utils.safestring import SafeString

from tremplin.core.definitions import TERMS

register = template.Library()


@register.simple_tag
def term(key: str, text: str = "") -> SafeString:
    """The label (or ``text``) of ``key``, its definition in the title: read aloud and on
    hover, and the same words as the reports' definition lines."""
    found = TERMS[key]
    return format_html('<abbr title="{}">{}</abbr>', found.definition, text or found.label)


@register.simple_tag
def definition(key: str) -> str:
    return TERMS[key].definition
