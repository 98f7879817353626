"""The read-only web dashboard at ``/dashboard``: health figures, charts, rota, pairing and question bank.

Why a page: a community manager wants the state of every ritual at a glance, without typing ``/cop``
commands in chat. It is served on the bot's own HTTP port, only when ``COPBOT_DASHBOARD_TOKEN`` is set.
"""

from copbot.dashboard.routes import install_dashboard

__all__ = ["install_dashboard"]
