"""Administration storage: the audited commands that change the unit tree and roles.

The tables themselves are read through storage.units and storage.roles, which stay at
the storage root because every feature scopes its officers by them.
"""
