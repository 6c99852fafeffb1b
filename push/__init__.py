"""Push: device tokens, campaigns, transports and the scheduler tick."""
