"""The base of every refusal whose message is written for the person who caused it."""


class PlatekeeperError(Exception):
    """A refusal or failure to show as one readable line (CLI) or a 4xx detail (API)."""
