"""The community's practices, one module each; decisions are pure functions, the I/O around them thin."""
