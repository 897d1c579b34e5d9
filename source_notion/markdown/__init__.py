"""Page content as Markdown: a pure renderer (Notion block tree in, GitHub-flavoured Markdown out; no HTTP).

`escape` turns text into Markdown that reads back as that text, `rich_text` renders inline rich text, `render` the
blocks, `tree` rebuilds a page's tree from the walk's block records, `page` makes a page's record fields,
`notion_markdown` turns Notion's own Markdown (GET /v1/pages/{id}/markdown) into those fields. Imports nothing else
of source_notion.
"""

from source_notion.markdown.page import RenderedPage, render_page
from source_notion.markdown.render import RenderContext, render_blocks
from source_notion.markdown.tree import BlockNode, build_tree, from_nested

__all__ = ["BlockNode", "RenderContext", "RenderedPage", "build_tree", "from_nested", "render_blocks", "render_page"]
