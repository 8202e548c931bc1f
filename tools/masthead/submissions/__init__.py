"""The "send a text" service: the form's back end, its private store and the delivery worker.

Modules, in the order a submission travels:
  settings  the service's settings (site_config/submissions.yml, then MASTHEAD_SUBMISSIONS_*)
  forms     request bodies (form or JSON) to plain fields
  tokens    signed form tokens: CSRF and the minimum fill time
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
