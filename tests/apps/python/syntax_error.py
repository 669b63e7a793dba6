"""A module that does not parse, as an app mid-edit under --reload."""

def application(environ, start_response:
    return [b""]
