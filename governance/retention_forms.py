"""The forms of the retention and legal hold pages."""

import re

from django import forms

from .models import COMMUNITY_KINDS, MAX_DAYS, MAX_REASON, MIN_DAYS, ContentKind

NAMES = re.compile(r"[\s,;]+")


def days_field(label: str) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        required=False,
        min_value=MIN_DAYS,
        max_value=MAX_DAYS,
        help_text="Days; empty: kept.",
        widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
        error_messages={
            "min_value": "Keep it at least %(limit_value)s day.",
            "invalid": "A whole number of days, or empty to keep it.",
        },
    )


def community_key(slug: str, kind: str) -> str:
    return f"c__{slug}__{kind}"


class RetentionForm(forms.Form):
    """The company's days for each kind, the days of each community that has its own policy
    (emptied: it follows the company's again), and one community to add."""

    new_community = forms.CharField(
        label="Add a community (its address, e.g. sales-club)", required=False, max_length=100
    )

    def __init__(self, *args, communities=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.community_slugs = [c.slug for c in communities]
        for kind in ContentKind:
            self.fields[kind.value] = days_field(kind.label)
        for community in communities:
            for kind in COMMUNITY_KINDS:
                self.fields[community_key(community.slug, kind.value)] = days_field(
                    f"{kind.label} in {community.name}"
                )
        for kind in COMMUNITY_KINDS:
            self.fields[f"new_{kind.value}"] = days_field(f"{kind.label} in that community")
        # The field order of the page: company kinds, communities, the new one.
        self.order_fields(
            [k.value for k in ContentKind]
            + [community_key(s, k.value) for s in self.community_slugs for k in COMMUNITY_KINDS]
            + ["new_community"]
            + [f"new_{k.value}" for k in COMMUNITY_KINDS]
        )

    def company_fields(self):
        return [self[k.value] for k in ContentKind]

    def community_rows(self):
        return [
            (slug, [self[community_key(slug, k.value)] for k in COMMUNITY_KINDS])
            for slug in self.community_slugs
        ]

    def new_fields(self):
        return [self["new_community"]] + [self[f"new_{k.value}"] for k in COMMUNITY_KINDS]

    def policy(self) -> tuple[dict, dict]:
        data = self.cleaned_data
        company = {k.value: data.get(k.value) for k in ContentKind}
        communities = {}
        for slug in self.community_slugs:
            kinds = {k.value: data.get(community_key(slug, k.value)) for k in COMMUNITY_KINDS}
            if any(v is not None for v in kinds.values()):
                communities[slug] = kinds
        new = (data.get("new_community") or "").strip()
        if new:
            communities[new] = {k.value: data.get(f"new_{k.value}") for k in COMMUNITY_KINDS}
        return company, communities


class HoldForm(forms.Form):
    custodians = forms.CharField(
        label="Custodians",
        required=False,
        help_text="Usernames, separated by commas or spaces (people who left included).",
        max_length=4000,
    )
    communities = forms.CharField(
        label="Communities",
        required=False,
        help_text="Community addresses (e.g. sales-club), separated by commas or spaces.",
        max_length=4000,
    )
    reason = forms.CharField(
        label="Reason",
        max_length=MAX_REASON,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="The matter the hold is for. Seen by Compliance only, and in the audit log.",
        error_messages={"required": "Give the reason for the hold (the matter it is for)."},
    )

    def names(self, field: str) -> list[str]:
        return [n for n in NAMES.split(self.cleaned_data.get(field) or "") if n]
