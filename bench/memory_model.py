"""The memory model (issue 23): our peak RSS as a function of the workspace's size, fitted to one run's full syncs
at three sizes (full_small, full on medium, full_large), and extrapolated to a million pages.

The profiles grow everything together (about 10 blocks a page, a data source per 100 pages, 60% of pages rows),
so one variable, pages, carries the fit: RSS = base + bytes_per_page x pages, least squares. Its slope then holds
the per-data-source and per-block costs at the profiles' mix; the prediction for 1,000,000 pages and 10,000 data
sources keeps that mix (a page per 100 of data source, as the profiles). The per-part costs the slope is made of
are in docs/architecture.md ("Memory"), from the connector's memory profile (`--memory-profile`).
"""

from __future__ import annotations

from dataclasses import dataclass

SIZED_SCENARIOS = ("full_small", "full", "full_large")
# The bound the bench holds the slope to: what one page may cost in peak RSS, everything it brings with it (its
# blocks, its share of a data source's schema) included. 1,000,000 pages at this bound add 250 MB.
BYTES_PER_PAGE_BOUND = 250.0
PREDICTED_PAGES = 1_000_000
PREDICTED_DATA_SOURCES = 10_000
MB = 1024 * 1024


@dataclass(frozen=True)
class Point:
    scenario: str
    pages: int
    blocks: int
    data_sources: int
    peak_rss_mb: float


@dataclass(frozen=True)
class Model:
    points: tuple[Point, ...]
    base_mb: float
    bytes_per_page: float

    def predict_mb(self, pages: int) -> float:
        return self.base_mb + self.bytes_per_page * pages / MB


def points(figures: dict[str, dict]) -> list[Point]:
    found = []
    for name in SIZED_SCENARIOS:
        entry = figures.get(name)
        if not entry or entry.get("failed") or not entry.get("peak_rss_mb"):
            continue
        records = entry.get("records") or {}
        found.append(
            Point(name, records.get("pages", 0), records.get("blocks", 0), records.get("data_sources", 0),
                  entry["peak_rss_mb"])
        )  # fmt: skip
    return found


def fit(figures: dict[str, dict]) -> Model | None:
    """Least squares of peak RSS on pages over the sized scenarios that ran (at least two sizes), else None."""
    found = points(figures)
    if len({point.pages for point in found}) < 2:
        return None
    n = len(found)
    mean_pages = sum(point.pages for point in found) / n
    mean_rss = sum(point.peak_rss_mb for point in found) / n
    spread = sum((point.pages - mean_pages) ** 2 for point in found)
    slope_mb = sum((point.pages - mean_pages) * (point.peak_rss_mb - mean_rss) for point in found) / spread
    return Model(tuple(found), mean_rss - slope_mb * mean_pages, slope_mb * MB)


def render(model: Model | None) -> str:
    if model is None:
        return "## Memory model\n\nnot fitted: it needs at least two of " + ", ".join(SIZED_SCENARIOS) + " in the run"
    rows = "\n".join(
        f"| {p.scenario} | {p.pages:,} | {p.blocks:,} | {p.data_sources:,} | {p.peak_rss_mb:.1f} | "
        f"{model.predict_mb(p.pages):.1f} |"
        for p in model.points
    )
    return (
        "## Memory model\n\n"
        "| scenario | pages | blocks | data sources | peak RSS (MB) | model (MB) |\n|---|---|---|---|---|---|\n"
        f"{rows}\n\n"
        f"peak RSS = {model.base_mb:.1f} MB + {model.bytes_per_page:.0f} bytes x pages (least squares; the profiles' "
        "mix: about 10 blocks a page, a data source per 100 pages). Predicted for "
        f"{PREDICTED_PAGES:,} pages and {PREDICTED_DATA_SOURCES:,} data sources at that mix: "
        f"{model.predict_mb(PREDICTED_PAGES):.0f} MB."
    )
