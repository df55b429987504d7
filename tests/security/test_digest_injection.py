"""People's words in the weekly digest stay words: a workflow title, a name, a story or an ask
written as Markdown does not become an image (a tracking pixel in everyone's mailbox) or a
disguised link in the email, the page or the chat messages."""

from __future__ import annotations

import json

from huddle.context.markup import render_markdown
from huddle.rituals import delivery
from huddle.rituals.models import Digest
from tests.security.seed import seed_org

HOSTILE = "![x](https://evil.test/p.png) [l](https://evil.test/l) <https://evil.test/a> *b*"


def test_markdown_in_titles_names_stories_and_asks_is_literal_in_the_digest(db):
    world = seed_org("digest", text=HOSTILE)
    digest = Digest.objects.get(organization=world.org)
    for html in (delivery.html_of(digest), str(render_markdown(digest.markdown))):
        assert "evil.test" in html  # the words are there …
        assert 'src="https://evil.test' not in html  # … but no image
        assert 'href="https://evil.test' not in html  # … and no link
        assert "<em>b</em>" not in html
    # Huddle's own links still work.
    assert f'href="http://127.0.0.1:8000/o/{world.org.slug}/' in delivery.html_of(digest)


def test_slack_link_syntax_in_peoples_words_is_not_a_link_in_the_slack_message(db):
    world = seed_org("slack", text="<https://evil.test/reset|Reset your password>")
    payload = delivery.slack_payload(Digest.objects.get(organization=world.org))
    # The header block is plain_text, which Slack never turns into links.
    mrkdwn = [b["text"]["text"] for b in payload["blocks"] if b["text"]["type"] == "mrkdwn"]
    message = payload["text"] + json.dumps(mrkdwn)
    assert "evil.test" in message
    assert "<https://evil.test" not in message
