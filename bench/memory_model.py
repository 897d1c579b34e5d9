"""The memory model (issue 23): our peak RSS as a function of the workspace's pages and data sources, fitted to one
run's full syncs, and extrapolated to a million pages and ten thousand data sources.

peak RSS = base + bytes_per_page x pages + bytes_per_data_source x data sources, least squares over full (medium),
full_wide and full_large. The profiles grow blocks, rows and comments with pages (about 10 blocks a page), so a
page's cost holds its blocks' and rows'; but they also grow data sources with pages (one per 100), so pages alone
cannot tell a page's cost from a data source's: full_wide (medium's pages in large's 500 data sources, one per 10
pages) is the point whose mix differs. With these three, the fit is exact: the data sources' cost is wide against
medium (the same pages), the pages' is large against wide (the same data sources).

full_small is shown, not fitted: its sync is below the saturation of the costs that `max_concurrency` bounds, not
the workspace (the work pool's output queue of 1,000 records, the pages in flight, the row streams' code and
objects appearing), which medium and larger fill; a line through it charges that one-off step to every page
(docs/architecture.md, "Memory", has the profile's figures).

The per-part costs the coefficients are made of are in docs/architecture.md ("Memory"), from the connector's memory
profile (`--memory-profile`).
"""

from __future__ import annotations

from dataclasses import dataclass

FITTED_SCENARIOS = ("full", "full_wide", "full_large")
SIZED_SCENARIOS = ("full_small", *FITTED_SCENARIOS)  # what the model's table shows
# The bounds the bench holds the coefficients to. A page may cost 250 bytes of peak RSS, everything it brings with it
# (its blocks, its rows' share) included: 1,000,000 pages add 250 MB. A data source may cost 25,000 bytes (its
# configured schema, its row stream's layout, the CDK's per-stream objects; about 27 columns in the profiles): the
# same 250 MB for 10,000 data sources, so that the million pages and ten thousand data sources fit in
# base + 500 MB, half a 1 GiB container.
BYTES_PER_PAGE_BOUND = 250.0
BYTES_PER_DATA_SOURCE_BOUND = 25_000.0
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
    points: tuple[Point, ...]  # every sized scenario that ran, fitted or not
    base_mb: float
    bytes_per_page: float
    bytes_per_data_source: float

    def predict_mb(self, pages: int, data_sources: int) -> float:
        return self.base_mb + (self.bytes_per_page * pages + self.bytes_per_data_source * data_sources) / MB

    @property
    def fitted(self) -> tuple[Point, ...]:
        return tuple(point for point in self.points if point.scenario in FITTED_SCENARIOS)


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


def _solve(matrix: list[list[float]], vector: list[float]) -> list[float] | None:
    """Gaussian elimination with partial pivoting; None if the system is singular."""
    size = len(vector)
    rows = [[*row, value] for row, value in zip(matrix, vector, strict=True)]
    for column in range(size):
        pivot = max(range(column, size), key=lambda row: abs(rows[row][column]))
        if abs(rows[pivot][column]) < 1e-9:
            return None
        rows[column], rows[pivot] = rows[pivot], rows[column]
        for row in range(size):
            if row != column:
                factor = rows[row][column] / rows[column][column]
                rows[row] = [a - factor * b for a, b in zip(rows[row], rows[column], strict=True)]
    return [rows[i][size] / rows[i][i] for i in range(size)]


def fit(figures: dict[str, dict]) -> Model | None:
    """Least squares of peak RSS on (1, pages, data sources) over the fitted scenarios, if all of them ran (their
    pages and data sources must not lie on one line), else None."""
    found = points(figures)
    fitted = [point for point in found if point.scenario in FITTED_SCENARIOS]
    if len(fitted) < len(FITTED_SCENARIOS):
        return None
    # Thousands of pages and data sources keep the normal equations well conditioned.
    design = [(1.0, point.pages / 1000, point.data_sources / 1000) for point in fitted]
    normal = [[sum(x[i] * x[j] for x in design) for j in range(3)] for i in range(3)]
    moments = [sum(x[i] * point.peak_rss_mb for x, point in zip(design, fitted, strict=True)) for i in range(3)]
    solved = _solve(normal, moments)
    if solved is None:
        return None
    base, per_thousand_pages, per_thousand_data_sources = solved
    return Model(tuple(found), base, per_thousand_pages * MB / 1000, per_thousand_data_sources * MB / 1000)


def render(model: Model | None) -> str:
    if model is None:
        return "## Memory model\n\nnot fitted: it needs " + ", ".join(FITTED_SCENARIOS) + " in the run"
    rows = "\n".join(
        f"| {p.scenario}{'' if p in model.fitted else ' (not fitted)'} | {p.pages:,} | {p.blocks:,} | "
        f"{p.data_sources:,} | {p.peak_rss_mb:.1f} | {model.predict_mb(p.pages, p.data_sources):.1f} |"
        for p in model.points
    )
    return (
        "## Memory model\n\n"
        "| scenario | pages | blocks | data sources | peak RSS (MB) | model (MB) |\n|---|---|---|---|---|---|\n"
        f"{rows}\n\n"
        f"peak RSS = {model.base_mb:.1f} MB + {model.bytes_per_page:.0f} bytes x pages + "
        f"{model.bytes_per_data_source:,.0f} bytes x data sources (least squares over "
        f"{', '.join(p.scenario for p in model.fitted)}; a page's cost holds its blocks' and rows' at the profiles' "
        "mix, about 10 blocks a page). Predicted for "
        f"{PREDICTED_PAGES:,} pages and {PREDICTED_DATA_SOURCES:,} data sources: "
        f"{model.predict_mb(PREDICTED_PAGES, PREDICTED_DATA_SOURCES):.0f} MB."
    )
