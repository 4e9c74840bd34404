"""Tags people give to blog posts and ideas: the same rules as hashtags in statuses."""

import re

from django.core.exceptions import ValidationError

MAX_TAGS = 10
TAG_RE = re.compile(r"^[a-z0-9_]{1,64}$")


def clean_tags(tags) -> list[str]:
    """Lower-cased, `#`-less, unique names in the order given; a ValidationError on `tags`
    for a bad name or too many."""
    names = []
    for raw in tags or []:
        name = str(raw).strip().lstrip("#").lower()
        if not name:
            continue
        if not TAG_RE.match(name):
            raise ValidationError({"tags": f"“{raw}”: letters, digits and _ only, up to 64."})
        if name not in names:
            names.append(name)
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": f"At most {MAX_TAGS} tags."})
    return names
