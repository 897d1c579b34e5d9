"""The HTTP layer: `app.NotionApp` routes a request (`api/`, one module of routes and thin handlers per
resource), runs it through the layers every Notion API request passes (`middleware`: version, auth, rate
limit, faults, latency, `stats`) and delivers the answer (`wire`: the request, the response, the socket).
May import everything below it (control, accounting, backend, limits, api_json, model); only the entry points
(`emulator`, `__main__`, `capacity`) import it.
"""
