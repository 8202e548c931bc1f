"""Share links: plain addresses of each network's own share page, filled with a story's
address and title. Nothing is loaded from another host until the reader clicks one.

Each template is the network's documented share (or compose) address; `{url}` and `{text}`
are replaced, percent-encoded. Pure.
"""

from __future__ import annotations

from urllib.parse import quote

from .site import Share

# network -> (label, address template); `{instance}` is the Mastodon instance of the settings
TEMPLATES: dict[str, tuple[str, str]] = {
    "mastodon": ("Mastodon", "https://{instance}/share?text={text}%20{url}"),
    "bluesky": ("Bluesky", "https://bsky.app/intent/compose?text={text}%20{url}"),
    "telegram": ("Telegram", "https://t.me/share/url?url={url}&text={text}"),
    "whatsapp": ("WhatsApp", "https://wa.me/?text={text}%20{url}"),
    "facebook": ("Facebook", "https://www.facebook.com/sharer/sharer.php?u={url}"),
    "linkedin": ("LinkedIn", "https://www.linkedin.com/sharing/share-offsite/?url={url}"),
    "x": ("X", "https://x.com/intent/post?text={text}&url={url}"),
    "vk": ("VK", "https://vk.com/share.php?url={url}&title={text}"),
    "reddit": ("Reddit", "https://www.reddit.com/submit?url={url}&title={text}"),
    "email": ("", "mailto:?subject={text}&body={url}"),  # its label is the reader's word for e-mail
}


def share_links(share: Share, url: str, title: str) -> list[dict[str, str]]:
    """The story's share links, in the order the settings list the networks."""
    out = []
    for network in share.networks:
        label, template = TEMPLATES[network]
        href = (template.replace("{instance}", share.mastodon).replace("{url}", quote(url, safe=""))
                .replace("{text}", quote(title, safe="")))
        out.append({"network": network, "label": label, "url": href})
    return out
