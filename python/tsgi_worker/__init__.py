"""tsgi's Python worker: runs a PEP 3333 app for tsgi's Node front end. Standard library only, Python >= 3.9.

The worker never parses HTTP: Node sends it complete requests as frames (docs/wire.md) on the socket at fd 3,
and it streams each response back the same way.
"""
