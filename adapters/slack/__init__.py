"""The Slack adapter: a slack-bolt ``AsyncApp`` that turns Slack payloads into neutral events and back."""
