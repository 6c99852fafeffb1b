"""Push: device tokens, campaigns, transports and the scheduler tick. Its
tables are in ``dilemmas/model/push.py``, with every other table."""
