"""Browser plumbing: launching Chromium or Firefox with the office's client certificate, the profiles and key
databases they need, and the leash that keeps a hung browser from holding the run."""
