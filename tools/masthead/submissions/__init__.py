"""The "send a text" service: the form's back end, its private store and the delivery worker.

Modules, in the order a submission travels:
  settings  the service's settings (site_config/submissions.yml, then MASTHEAD_SUBMISSIONS_*)
  forms     request bodies (form or JSON) to plain fields
  clients   the client address: X-Forwarded-For only from trusted proxies, right-most untrusted
  checking  parsing and checking off the event loop: worker processes, a time budget, a bounded queue
  tokens    signed form tokens (CSRF and the minimum fill time), contributors' submission keys
  ratelimit the per-address limit (the one module that imports `limits`)
  store     the private SQLite store (WAL): a submission is acknowledged only once committed
  backends  where deliveries go: a local Git repository or GitHub
  delivery  one submission to one branch (and pull request), idempotently
  worker    the delivery loop: retries with backoff, refresh of review status, contact expiry
  pages     the HTML the service itself shows (receipt, the form again with errors)
  app       the Starlette application (the one module that imports Starlette)
  service   putting it together, and running it on uvicorn
  page      the /send/ page of the built site
"""
