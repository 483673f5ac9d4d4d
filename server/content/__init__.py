"""The content library: its sources, tags, policy versions, topic rules, and following a writer."""
