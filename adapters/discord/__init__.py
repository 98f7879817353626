"""The Discord adapter: discord.py 2.7 translating between a Discord server and copbot's neutral core."""
