"""Platform adapters: each translates its platform's events to neutral events and performs neutral actions."""
