"""The Globus Automate client: ActionClient and FlowsClient (delivered with the Flows issue)."""
