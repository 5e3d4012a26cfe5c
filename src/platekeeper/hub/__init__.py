"""A regional hub: a partner's search fanned out to member agencies' own platekeeper nodes.

The hub stores no reads. Each member node answers with its own gate, agreement and audit (see
docs/scale.md); the hub merges the answers and says which members answered, refused or were
down. No Django: it runs beside, not inside, any node.
"""
