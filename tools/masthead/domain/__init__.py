"""The pure domain: frozen data and rules. No I/O, no clock, no adapter libraries.

A test walks these imports and fails on mkdocs, yaml, git, github3, feedgen or starlette.
"""
