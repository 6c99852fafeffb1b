"""The domain of Kompas, in rooms (docs/architecture.md): ``model`` (tables),
``reads`` (read models and the memo), ``employee`` and ``office`` (the use
cases of the two sides), ``storage`` (databases), and a few leaf modules
(errors, weeks, tokens, typed codes). Plain Python over SQLAlchemy
sessions; knows nothing of HTTP."""
