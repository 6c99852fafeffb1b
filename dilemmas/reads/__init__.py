"""Read models: what requests read of the content tables (the organisation
tree, a dilemma's content, placements in weeks, the code of conduct), and
the per-process memo that keeps it while the content does not change."""
