from source_notion.source import SourceNotion

__all__ = ["SourceNotion"]
