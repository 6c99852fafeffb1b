"""The HTTP layer of Kompas: the only package that imports Flask."""
