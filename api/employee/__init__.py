"""The phone's JSON API under /api/v1: installations, dilemmas and answers,
the code of conduct, teams, meetings and their deliberation, suggestions."""
