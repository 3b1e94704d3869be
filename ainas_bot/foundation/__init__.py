"""What every layer stands on: Japan time, files opened without following links, text made safe to print,
typed identifiers cleaned, and the lock that keeps two runs apart. Imports nothing of the project but
`errors` and `i18n`."""
