"""The integrity office's JSON API under /api/v1/admin, and the schemas the console shares (api.console.schemas)."""
