"""`ainas-bot web`: a local console for the people who are not at a terminal, on 127.0.0.1 only, behind a token."""
