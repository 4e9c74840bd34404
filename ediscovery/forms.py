"""The request form of /compliance/exports/. It only parses; ediscovery.services validates."""

import re

from django import forms

from .models import MAX_Q

SEPARATORS = re.compile(r"[\s,;]+")


def _names(value: str) -> list[str]:
    return [name.lstrip("@") for name in SEPARATORS.split(value or "") if name.lstrip("@")]


class ExportForm(forms.Form):
    custodians = forms.CharField(
        required=False,
        max_length=4000,
        label="Custodians",
        help_text="Usernames, separated by commas or spaces: everything they wrote.",
    )
    communities = forms.CharField(
        required=False,
        max_length=4000,
        label="Communities",
        help_text="Community slugs (the part after /c/): everything posted in them.",
    )
    start = forms.DateField(
        label="From", widget=forms.DateInput(attrs={"type": "date"}), input_formats=["%Y-%m-%d"]
    )
    end = forms.DateField(
        label="To (included)",
        widget=forms.DateInput(attrs={"type": "date"}),
        input_formats=["%Y-%m-%d"],
    )
    q = forms.CharField(
        required=False,
        max_length=MAX_Q,
        label="Search terms",
        help_text='Every term must appear, in any letter case; "a phrase" in quotes.',
    )

    def clean_custodians(self) -> list[str]:
        return _names(self.cleaned_data["custodians"])

    def clean_communities(self) -> list[str]:
        return _names(self.cleaned_data["communities"])
