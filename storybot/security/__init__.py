"""What every answer carries for the browser's protection, and whom the server trusts.

:mod:`storybot.security.headers` sets the security headers (CSP, HSTS ...),
:mod:`storybot.security.proxies` trusts the configured number of reverse
proxies, :mod:`storybot.security.cors` lists the origins that may call the API
with credentials.
"""
