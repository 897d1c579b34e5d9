"""Database rows as typed tables: one stream per data source, one typed column per property.

The parts that need no network live here, one idea per module: `naming` (stream and column names),
`schema` (a data source's property definitions → the stream's JSON schema, and back to the column layout a
configured catalog holds) and `convert` (one page object → one typed record, given that layout).
Imports nothing else of source_notion but `json_types` (the one JSON-type checker).
"""
