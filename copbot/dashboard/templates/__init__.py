"""The dashboard's Jinja2 templates (a package so that pyproject's ``*.html`` package-data ships them in wheels)."""
