"""copbot's runtime: config, storage, scheduler, commands and outbox wired together, knowing no platform by name."""
