"""One package per Globus service: routes, documents, models and logic."""
