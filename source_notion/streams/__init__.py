"""The streams: one module per stream (and `rows` for the row streams, one per data source), their shared bases
(`base`, `page_walk`) and `registry` (every stream declared once, the read order). May import `sync`, `state`,
`records`, `transport`, `config`, `rows` and `markdown`; only the entry points (`source`, `run`) import it.
"""

from source_notion.streams.blocks import Blocks
from source_notion.streams.comments import Comments
from source_notion.streams.data_sources import DataSources
from source_notion.streams.databases import Databases
from source_notion.streams.page_content import PageContent
from source_notion.streams.pages import Pages
from source_notion.streams.users import Users

__all__ = ["Blocks", "Comments", "DataSources", "Databases", "PageContent", "Pages", "Users"]
