"""The .p12 files: opened within bounds, their certificate read into what AINAS will show, and made in code
for the sandbox and the tests (`factory`)."""
