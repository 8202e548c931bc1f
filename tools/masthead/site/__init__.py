"""The site: rendering, pages, feeds, and the MkDocs plugin that hosts them."""
