"""The bundled code of conduct and dilemma bank (YAML) and their loader."""
