"""What every stream does with what it reads (`shaping`): Notion objects shaped as records in the one form all
API versions give, and counts of what was skipped or cut. The streams' JSON schemas are data files in
`source_notion/schemas/` (package data, loaded by the CDK by stream name). May import `config` only.
"""
