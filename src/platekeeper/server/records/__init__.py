"""Records requests for ALPR data, routed to the Support Services Division Commander (438.9)."""
