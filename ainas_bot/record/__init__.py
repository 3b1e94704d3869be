"""What persists between runs: the store of what the portal last proved per office, and what each .p12 file
was found to hold (so that a file is not decrypted again)."""
