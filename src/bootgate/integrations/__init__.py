"""Adapters between bootgate and the world around a service (process managers, metrics, web
frameworks). Each lives in its own module and is imported only when used."""
