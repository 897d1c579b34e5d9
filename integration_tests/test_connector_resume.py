"""An interrupted sync (the process killed right after a mid-sync checkpoint) resumes where it stopped and, with
the records of the interrupted attempt, ends with nothing missing."""

from testkit.connector import Connector, config, state_of

ENDPOINT = {"blocks": "GET /v1/blocks/{id}/children", "comments": "GET /v1/comments"}


def is_mid_sync_checkpoint(stream):
    def check(message):
        return (
            message["type"] == "STATE"
            and message["state"]["stream"]["stream_descriptor"]["name"] == stream
            and "in_progress" in message["state"]["stream"]["stream_state"]
        )

    return check


def grow_workspace(control, pages):
    for i in range(pages):
        control.mutate("add_page", title=f"Padding {i}", blocks=1)


def test_blocks_and_comments_resume_from_a_mid_sync_checkpoint(emulator, control, tmp_path):
    connector = Connector(emulator.base_url, tmp_path)
    grow_workspace(control, 150)  # well over the 100 pages between checkpoints
    cfg = config(max_concurrency=2)
    for stream in ("blocks", "comments"):
        catalog = connector.catalog(cfg, (stream,))
        interrupted = connector.read(cfg, catalog, stop_when=is_mid_sync_checkpoint(stream))
        assert interrupted.returncode != 0  # killed
        state = interrupted.final_state()
        progress = state_of(state, stream)["in_progress"]

        control.reset_stats()
        resumed = connector.read(cfg, catalog, state)
        assert resumed.returncode == 0, resumed.errors
        expected = {e["id"] for e in control.expected(streams=[stream])[stream]}
        got = set(interrupted.ids(stream)) | set(resumed.ids(stream))
        assert got == expected, f"{stream}: {len(expected - got)} missing, {len(got - expected)} extra"
        # the resumed sync did the rest, not one page of what was done again: the 150 padding pages share a
        # minute, so the checkpoint names a page within it (the walk's order: newest first, ties by id
        # descending, computed here from the ground truth)
        pages = {p["id"]: p["last_edited_time"] for p in control.expected(streams=["pages"])["pages"]}
        order = sorted(pages, key=lambda p: (pages[p], p), reverse=True)
        last_done = order.index(progress["walked_down_to_id"])
        assert pages[order[last_done]] == progress["walked_down_to"]
        done, left = set(order[: last_done + 1]), set(order[last_done + 1 :])
        listed_again = set(control.stats(detail=True)["by_endpoint_id"][ENDPOINT[stream]])
        assert len(done) >= 100 and not done & listed_again
        assert {r["page_id"] for r in resumed.of(stream)} <= left
        if stream == "blocks":  # every page has a block: each page left is listed
            assert left <= listed_again
        # and ends with the cursor of the interrupted sync's start
        assert state_of(resumed.final_state(), stream) == {"last_edited_time": progress["started_at"]}
