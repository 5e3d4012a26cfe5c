"""The edge agent: recognition beside the camera, a durable outbox, upload with retry. No Django.

    platekeeper agent --config agent.toml

`main.run_agent` wires the parts: `sources` give frames, the recognition engine (by name) reads
them, `grouping` keeps one read per vehicle pass, `outbox` stores each read on disk before
anything else happens to it, `hotlist_cache` alerts at once from the local copy of the hotlists,
`uploader` sends the outbox to `POST /api/v1/reads` and `heartbeat` reports health.
"""
