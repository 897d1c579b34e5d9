"""GET /v1/pages/{id}/markdown over HTTP (notion-api.md §13.6): every block type against Markdown written by
hand from the documented grammar (v1 and v2), the record limit, unknown_block_ids and the 404s."""

from __future__ import annotations

import re

import pytest
import requests

from testkit.markdown_reading import signed_urls_named

HEADERS = {"Authorization": "Bearer ntn_emulator_token", "Notion-Version": "2026-03-11"}
HEX = re.compile(r"[0-9a-f]{32}")


def get(emulator, page_id: str, version: str = "2026-03-11", **params) -> requests.Response:
    headers = {**HEADERS, "Notion-Version": version}
    return requests.get(f"{emulator.base_url}/v1/pages/{page_id}/markdown", params=params, headers=headers, timeout=30)


def landmarks(emulator) -> dict:
    return requests.get(f"{emulator.base_url}/_emulator/info", timeout=30).json()["landmarks"]


def normalized(markdown: str) -> str:
    """Ids in URLs replaced by ID, signed file URLs by SIGNED/<name> (they are the generator's and the file host's;
    the forms are what is tested)."""
    return HEX.sub("ID", signed_urls_named(re.sub(r"X-Amz-Date=\d+", "X-Amz-Date=T", markdown)))


GALLERY_V1 = """\
# Block gallery
Every block type with a realistic payload: **bold**, *italic*, `code`, [a link](https://developers.notion.com).
## Lists
- A bullet
\t- A nested bullet
1. Step one
2. Step two
- [x] Write the spec
- [ ] Review the spec
### A toggleable heading {toggle="true"}
\tUnder the heading.
<details>
<summary>A toggle</summary>
\tInside the toggle.
</details>
> Simplicity is prerequisite for reliability.
<callout icon="💡">
\tHeads up: this is a callout.
</callout>
```python
def hello():
    return 'notion'
```
<caption>A caption</caption>
$$
e^{i\\pi} + 1 = 0
$$
---
<breadcrumb/>
<table_of_contents/>
<columns>
\t<column>
\t\tLeft column
\t</column>
\t<column>
\t\tRight column
\t\t![](https://images.example.com/r.png)
\t</column>
</columns>
<table header-row="true" header-column="false">
\t<tr>
\t\t<td>Name</td>
\t\t<td>Role</td>
\t</tr>
\t<tr>
\t\t<td>Ada</td>
\t\t<td>Engineer</td>
\t</tr>
\t<tr>
\t\t<td>Grace</td>
\t\t<td>Admiral</td>
\t</tr>
</table>
<page url="https://www.notion.so/Deep-nesting-ID">Deep nesting</page>
<database url="https://www.notion.so/ID">Projects</database>
<unknown url="https://www.notion.so/ID#ID" alt="embed"/>
<unknown url="https://www.notion.so/ID#ID" alt="bookmark"/>
![External image](https://images.example.com/diagram.png)
![](SIGNED/uploaded.png)
<video src="https://www.youtube.com/watch?v=dQw4w9WgXcQ"></video>
<pdf src="SIGNED/spec.pdf"></pdf>
<file src="SIGNED/report.xlsx"></file>
<audio src="https://files.example.com/standup.mp3"></audio>
<unknown url="https://www.notion.so/ID#ID" alt="link_preview"/>
Add a meeting note
\tAgenda
<synced_block url="https://www.notion.so/ID#ID">
\tAn original synced block in the gallery.
</synced_block>
<unknown url="https://www.notion.so/ID#ID" alt="unsupported"/>
#### A fourth-level heading
<tabs>
\tOverview
\t\tWhat the project is.
\tDetails
\t\tHow it works.
</tabs>
<meeting-notes url="https://www.notion.so/ID#ID">
\tWeekly sync
\tSummary: the release is on track.
\tNotes: Ada reviews the spec.
\t<transcript url="https://www.notion.so/ID#ID"/>
</meeting-notes>
<page url="https://www.notion.so/Gallery-sub-page-ID">Gallery sub-page</page>
<database url="https://www.notion.so/ID" inline="false">Reading list</database>"""

# v2: a blank line between blocks; blocks with children in their tag form, children after a blank line and not
# indented; tabs only under list items.
GALLERY_V2_HEAD = """\
# Block gallery

Every block type with a realistic payload: **bold**, *italic*, `code`, [a link](https://developers.notion.com).

## Lists

- A bullet

\t- A nested bullet

1. Step one

2. Step two

- [x] Write the spec

- [ ] Review the spec

<h3 toggle="true">A toggleable heading

Under the heading.
</h3>

<toggle>A toggle

Inside the toggle.
</toggle>

> Simplicity is prerequisite for reliability.

<callout icon="💡">Heads up: this is a callout.
</callout>
"""
GALLERY_V2_COLUMNS = """\
<columns>
<column>
Left column
</column>
<column>
Right column

![](https://images.example.com/r.png)
</column>
</columns>
"""
GALLERY_V2_TABS = """\
<tabs>
<p>Overview

What the project is.
</p>

<p>Details

How it works.
</p>
</tabs>
"""

LINKS_V1 = """\
<page url="https://www.notion.so/Private-HR-ID"></page>
A mention of a private page: <mention-page url="https://www.notion.so/ID">Private: HR</mention-page>.
Mentions of <mention-user url="user://USER">Ada Lovelace</mention-user>, \
<mention-page url="https://www.notion.so/ID">Long page</mention-page>, \
<mention-database url="https://www.notion.so/ID">Projects</mention-database>, \
<mention-date start="2026-12-01"/> and $E = mc^2$.
<page url="https://www.notion.so/Long-page-ID">Long page</page>"""


def test_every_block_type_v1(emulator):
    answer = get(emulator, landmarks(emulator)["gallery_page"], markdown_version="v1")
    assert answer.status_code == 200
    body = answer.json()
    assert set(body) == {"object", "id", "markdown", "truncated", "unknown_block_ids", "request_id"}
    assert body["object"] == "page_markdown"
    assert body["truncated"] is False and body["unknown_block_ids"] == []
    assert normalized(body["markdown"]) == GALLERY_V1


def test_every_block_type_v2(emulator):
    body = get(emulator, landmarks(emulator)["gallery_page"], markdown_version="v2").json()
    markdown = normalized(body["markdown"])
    assert markdown.startswith(GALLERY_V2_HEAD)
    assert GALLERY_V2_COLUMNS in markdown
    assert GALLERY_V2_TABS in markdown
    assert "\n\n---\n\n<breadcrumb/>\n\n<table_of_contents/>\n\n" in markdown
    # the table keeps its tags, not indented; the same number of blocks as v1, one blank line apart
    assert '<table header-row="true" header-column="false">\n<tr>\n<td>Name</td>\n<td>Role</td>\n</tr>' in markdown
    assert "\n\n\n" not in markdown


def test_rich_text_mentions_and_equations(emulator):
    body = get(emulator, landmarks(emulator)["links_page"], markdown_version="v1").json()
    markdown = re.sub(r"user://[0-9a-f-]{36}", "user://USER", body["markdown"])
    assert normalized(markdown) == LINKS_V1


def test_escaping_outside_code():
    from notion_emulator.api_json.page_markdown import escape, inline

    assert escape(r"a*b~c`d$e[f]g<h>i{j}k|l^m\n_o") == r"a\*b\~c\`d\$e\[f\]g\<h\>i\{j\}k\|l\^m\\n_o"
    item = {"type": "text", "plain_text": "x<y\nz", "annotations": {"color": "red"}, "href": None}
    assert inline([item]) == '<span color="red">x\\<y<br>z</span>'


def test_default_version_and_2026_12_01(emulator):
    gallery = landmarks(emulator)["gallery_page"]
    v1 = get(emulator, gallery, markdown_version="v1").json()["markdown"]
    assert get(emulator, gallery).json()["markdown"] == v1  # v1 before 2026-12-01
    v2 = get(emulator, gallery, markdown_version="v2").json()["markdown"]
    assert get(emulator, gallery, version="2026-12-01").json()["markdown"] == v2
    refused = get(emulator, gallery, version="2026-12-01", markdown_version="v1")
    assert refused.status_code == 400 and refused.json()["code"] == "validation_error"
    bad = get(emulator, gallery, markdown_version="v3")
    assert bad.status_code == 400 and "markdown_version" in bad.json()["message"]
    # recorded on 2025-09-03 and observed on 2022-06-28
    assert get(emulator, gallery, version="2025-09-03").status_code == 200
    assert get(emulator, gallery, version="2022-06-28").status_code == 200


def test_include_transcript(emulator):
    gallery = landmarks(emulator)["gallery_page"]
    without = get(emulator, gallery, markdown_version="v1").json()["markdown"]
    with_it = get(emulator, gallery, markdown_version="v1", include_transcript="true").json()["markdown"]
    assert "<transcript url=" in without and "Transcript: ..." not in without
    assert "<transcript url=" not in with_it and "\tTranscript: ...\n</meeting-notes>" in with_it


def test_min_version_refuses_older_versions(emulator_factory):
    emulator = emulator_factory(markdown_min_version="2026-03-11")
    gallery = landmarks(emulator)["gallery_page"]
    refused = get(emulator, gallery, version="2025-09-03")
    assert refused.status_code == 400 and refused.json()["code"] == "validation_error"
    assert get(emulator, gallery, version="2026-03-11").status_code == 200


def test_not_found_and_database_ids(emulator):
    marks = landmarks(emulator)
    missing = get(emulator, "00000000-0000-0000-0000-000000000000")
    assert missing.status_code == 404 and missing.json()["code"] == "object_not_found"
    private = get(emulator, marks["private_page"])
    assert private.status_code == 404
    database = get(emulator, marks["projects_database"])
    assert database.status_code == 400 and database.json()["code"] == "invalid_request_url"
    nothing_shared = requests.get(
        f"{emulator.base_url}/v1/pages/{marks['gallery_page']}/markdown",
        headers={**HEADERS, "Authorization": "Bearer ntn_emulator_token_nothing_shared"},
        timeout=30,
    )
    assert nothing_shared.status_code == 404


def _lines(markdown: str) -> list[str]:
    return [line.strip() for line in markdown.split("\n") if line.strip()]


def test_record_limit_and_unknown_block_ids(emulator_factory):
    """Past the limit every block reached is a placeholder listed in unknown_block_ids; each id, asked again,
    renders that block and its subtree, so the pieces put in place give the page whole."""
    emulator = emulator_factory(markdown_record_limit=40)
    long_page = landmarks(emulator)["long_page"]
    emulator.configure_limits(markdown_record_limit=100_000)
    whole = get(emulator, long_page, markdown_version="v1").json()
    assert whole["truncated"] is False and whole["unknown_block_ids"] == []
    emulator.configure_limits(markdown_record_limit=40)
    cut = get(emulator, long_page, markdown_version="v1").json()
    assert cut["truncated"] is True
    ids = cut["unknown_block_ids"]
    assert ids and len(set(ids)) == len(ids)
    assert len(_lines(cut["markdown"])) < len(_lines(whole["markdown"]))
    markdown = cut["markdown"]
    while ids:
        block_id = ids.pop(0)
        placeholder = re.search(
            rf'(?m)^(\t*)<unknown url="[^"]*#{block_id.replace("-", "")}" alt="[a-z_0-9]+"/>$', markdown
        )
        assert placeholder is not None
        piece = get(emulator, block_id, markdown_version="v1").json()
        assert piece["object"] == "page_markdown" and piece["id"] == block_id
        ids += piece["unknown_block_ids"]  # a subtree longer than the limit is cut again
        tabs = placeholder.group(1)
        markdown = markdown.replace(placeholder.group(0), tabs + piece["markdown"].replace("\n", "\n" + tabs))
    assert markdown == whole["markdown"]


def test_permission_blocked_unknown_id_answers_404(emulator):
    marks = landmarks(emulator)
    emulator.backend.unshare_page(page_id=marks["synced_source_page"])
    body = get(emulator, marks["synced_copy_page"], markdown_version="v1").json()
    assert body["truncated"] is True and len(body["unknown_block_ids"]) == 1
    assert '<unknown url="' in body["markdown"] and 'alt="synced_block"/>' in body["markdown"]
    blocked = get(emulator, body["unknown_block_ids"][0])
    assert blocked.status_code == 404 and blocked.json()["code"] == "object_not_found"


def test_counted_and_rate_limited_as_every_endpoint(emulator_factory):
    emulator = emulator_factory(requests_per_minute=2)
    gallery = landmarks(emulator)["gallery_page"]
    statuses = [get(emulator, gallery).status_code for _ in range(3)]
    assert statuses == [200, 200, 429]
    stats = requests.get(f"{emulator.base_url}/_emulator/stats", timeout=30).json()
    assert stats["by_endpoint"]["GET /v1/pages/{id}/markdown"] == 3


@pytest.mark.parametrize("token_suffix", ["_no_users", "_no_comments"])
def test_other_capabilities_do_not_matter(emulator, token_suffix):
    gallery = landmarks(emulator)["gallery_page"]
    answer = requests.get(
        f"{emulator.base_url}/v1/pages/{gallery}/markdown",
        headers={**HEADERS, "Authorization": f"Bearer ntn_emulator_token{token_suffix}"},
        timeout=30,
    )
    assert answer.status_code == 200
