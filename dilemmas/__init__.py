"""The domain of Kompas: organisations, the code of conduct, dilemmas, weeks,
installations, answers and their tallies. Plain Python over SQLAlchemy
sessions; knows nothing of HTTP."""
