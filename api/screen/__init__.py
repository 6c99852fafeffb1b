"""The presenter screen under /meeting/: the meeting in the room, for the projector."""
