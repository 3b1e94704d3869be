"""What a run says: the outcome of each office, the events while it works, the audit log, the reports, and
whether an office is due at all."""
