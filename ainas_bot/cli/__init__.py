"""The command line: parses arguments, builds the settings once, prints, and turns errors into exit codes.

The one layer that may reach every other; nothing imports it but `__main__`."""
