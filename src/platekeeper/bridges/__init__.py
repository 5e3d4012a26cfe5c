"""Bridges: processes that bring other systems' plate reads into platekeeper's ingest.

Each keeps what it hears in the agent's durable outbox (`platekeeper.agent.outbox`) before
acknowledging it, and uploads it with the agent's uploader, so an outage of platekeeper or a
restart of the bridge loses nothing and doubles nothing. Django-free.
"""
