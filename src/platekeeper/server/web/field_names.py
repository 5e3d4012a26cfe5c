"""Errors of the gate and the queries in the words of the form the person filled in.

Queries and the gate name a field as the API does (`start: must not be after end`): stable
words that API clients and the CLI read. A page shows the same error with the labels beside
its inputs (`From: must not be after To`), so the person sees which box to change. Only the
web layer translates; the API's messages keep the field names.
"""

from __future__ import annotations

import re

from django import forms


def in_form_words(error: Exception, form: forms.Form) -> Exception:
    """`error` (same type and status) with each field name the form labels otherwise replaced by
    its label: `start: ... needs start and end` becomes `From: ... needs From and To`."""
    names = _labels(form)
    message = str(error)
    head, colon, rest = message.partition(":")
    if colon and head.strip() in names:
        message = f"{names[head.strip()]}:{rest}"
    renamed = {name: label for name, label in names.items() if label.lower() != name.lower()}
    if renamed:
        pattern = re.compile(r"\b(" + "|".join(map(re.escape, renamed)) + r")\b")
        head, colon, rest = message.partition(": ")
        message = head + colon + pattern.sub(lambda m: renamed[m.group(1)], rest)
    if message == str(error):
        return error
    # Made without calling __init__, whose signature varies (an ApprovalPending's carries its
    # approval id): the same type with the same attributes (status, ...), new words.
    worded = type(error).__new__(type(error))
    worded.__dict__.update(error.__dict__)
    worded.args = (message,)
    return worded


def _labels(form: forms.Form) -> dict[str, str]:
    """Field name to label; a numbered row's fields (`start1`) also answer to the bare name."""
    labels: dict[str, str] = {}
    for name, field in form.fields.items():
        label = str(field.label) if field.label else name.replace("_", " ").capitalize()
        labels[name] = label
        labels.setdefault(name.rstrip("0123456789"), label)
    return labels
