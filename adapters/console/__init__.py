"""The console adapter: a local chat in the terminal, for trying copbot and for driving it in tests."""

from adapters.console.adapter import ConsoleAdapter, Message

__all__ = ["ConsoleAdapter", "Message"]
