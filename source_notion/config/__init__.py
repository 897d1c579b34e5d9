"""What the user gives the connector: the configuration model from which the spec is generated (`spec`), the
Notion-Version values it speaks and the one record form they map to (`api_versions`), and the checks of the
files named on the command line (`input_checks`). May import `rows` (a configured row stream's layout) and
`json_types`, nothing else of source_notion: every other layer stands on this one.
"""
