"""One sync's shared work: its context (`context.Sync`: what the streams share, the plan), the one workspace
search per kind (`workspace_index`), the one block walk per page (`block_walk`), the one listing of a page's or
block's comments (`comment_listing`), what becomes of an object Notion stopped serving (`not_found`: a 404
skipped, counted, logged), the deletes that cascade from a trashed page (`cascade`) and what operators
see while it runs (`progress`). May import `records`, `state`, `transport` and `config`; never `streams`.
"""
