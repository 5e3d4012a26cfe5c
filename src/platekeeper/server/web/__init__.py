"""The server-rendered web interface: thin views over the apps' actions and queries."""
