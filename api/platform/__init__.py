"""What every room of the web layer shares: settings, database sessions,
authentication, errors, request guards, metrics and the OpenAPI document.
Imports no audience."""
