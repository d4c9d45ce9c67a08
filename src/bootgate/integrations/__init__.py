"""Glue between bootgate and the things around a service: service managers and frameworks.

Each module is imported on its own (`bootgate.integrations.systemd`, `...starlette`); none is
imported by `import bootgate`, and a framework is imported only by its own module.
"""
