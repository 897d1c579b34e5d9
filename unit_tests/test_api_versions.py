"""record_form: the one record form whatever the Notion-Version (api_versions.py)."""

from source_notion.config.api_versions import record_form


def test_archived_is_derived_from_in_trash_where_a_version_dropped_it():
    page = {"object": "page", "id": "p", "in_trash": True, "properties": {}}
    assert record_form(page)["archived"] is True
    kept = {"object": "block", "id": "b", "in_trash": False, "archived": False, "type": "paragraph", "paragraph": {}}
    assert record_form(dict(kept)) == kept
    assert "archived" not in record_form({"object": "comment", "id": "c"})


def test_transcription_is_called_meeting_notes_with_its_payload():
    block = {"object": "block", "id": "b", "in_trash": False, "type": "transcription", "transcription": {"title": []}}
    assert record_form(block) == {
        "object": "block",
        "id": "b",
        "in_trash": False,
        "archived": False,
        "type": "meeting_notes",
        "meeting_notes": {"title": []},
    }


def test_a_nameless_person_is_null_everywhere_inside_a_record():
    nameless = {"object": "user", "id": "u", "name": "", "type": "person", "person": {}}
    page = {
        "object": "page",
        "id": "p",
        "in_trash": False,
        "properties": {
            "By": {"type": "created_by", "created_by": dict(nameless)},
            "People": {"type": "people", "people": [dict(nameless), {"object": "user", "id": "v"}]},
        },
    }
    form = record_form(page)
    assert form["properties"]["By"]["created_by"]["name"] is None
    assert form["properties"]["People"]["people"][0]["name"] is None
    assert "name" not in form["properties"]["People"]["people"][1]
    text = {"type": "text", "plain_text": "", "annotations": {}, "text": {"content": ""}}
    assert record_form([text]) == [text]  # rich text is left alone
