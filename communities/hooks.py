"""What communities adds to pages of the apps below it (connected in apps.py), and what apps
built on communities can hear about (called explicitly by communities' services, inside their
transaction; see core.hooks)."""

from core.hooks import Hook

from .selectors import communities_of_profile

# A community was created (any visibility: a receiver decides what it may tell).
# webhooks: `community.created`, never for a secret community.
community_created = Hook("communities.community_created", "kwargs: community")

PROFILE_CARD_SHOWN = 8


def profile_communities_context(*, viewer, profile) -> dict:
    """profiles' `profile_page_context`: the person's communities this viewer may know of
    (a secret one only for its members)."""
    communities = list(
        communities_of_profile(viewer=viewer, user=profile.user)[: PROFILE_CARD_SHOWN + 1]
    )
    more = max(0, len(communities) - PROFILE_CARD_SHOWN)
    return {
        "side_cards": [
            {
                "template": "communities/_profile_card.html",
                "communities": communities[:PROFILE_CARD_SHOWN],
                "more": more,
            }
        ]
    }
