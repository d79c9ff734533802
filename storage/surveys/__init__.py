"""Survey storage: definitions and audiences, members' progress, and responses."""
