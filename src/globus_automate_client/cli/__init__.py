"""The ``globus-automate`` command line interface and the token cache it shares with the
``create_action_client`` / ``create_flows_client`` helpers."""
