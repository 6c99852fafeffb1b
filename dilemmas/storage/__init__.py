"""How the domain talks to its databases: the declarative base and column
types, engines and sessions, migrations, and writes that meet a UNIQUE
constraint. Knows nothing of the product."""
