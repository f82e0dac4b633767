"""One subpackage per Globus service; each has its client, responses, errors and payloads."""
