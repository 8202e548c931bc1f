"""Files in: front matter, schemas, and the loaders of content, registry and settings."""
