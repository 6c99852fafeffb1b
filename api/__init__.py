"""The web layer: one room per audience (employee, office, console, screen, cli) over platform."""
