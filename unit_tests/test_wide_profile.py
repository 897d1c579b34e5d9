"""The `wide` profile is the memory model's point with another mix of data sources per page (bench/memory_model.py):
it must keep medium's pages and rows and only multiply the data sources, or the fit would mix the two costs."""

from notion_emulator.model.generator import generate


def test_wide_is_medium_with_ten_times_the_data_sources():
    medium, wide = generate("medium"), generate("wide")
    assert len(wide.pages) == len(medium.pages)
    assert sum(p.data_source is not None for p in wide.pages) == sum(p.data_source is not None for p in medium.pages)
    assert len(wide.data_sources) == 10 * len(medium.data_sources) == 500
