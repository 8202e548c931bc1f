"""Sub-commands of `masthead`; each module has `register(subparsers)`."""
