"""community.yaml turned into typed, validated settings; errors carry file, line and column."""
