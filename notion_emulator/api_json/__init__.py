"""The real API's JSON: model objects rendered as Notion answers them (`render`), what each Notion-Version
changes in those answers (`versions`), and the errors in the API's own shape (`errors`). The backend renders
under its lock, so this sits below it. May import `model` only.
"""
