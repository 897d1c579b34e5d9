"""The real API's JSON: model objects rendered as Notion answers them (`render`), what each Notion-Version changes
in those answers (`versions`), the errors in the API's own shape (`errors`), and pages as Notion's own Markdown
(`page_markdown`, GET /v1/pages/{id}/markdown). The backend renders under its lock, so this sits below it. May
import `model` only.
"""
