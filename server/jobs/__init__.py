"""Background jobs: what runs on a schedule, and which one process runs them."""
