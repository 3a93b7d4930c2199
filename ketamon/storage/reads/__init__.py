"""Row -> domain mapping and the loaders every service shares, one module per aggregate.

Each function takes the unit of work (`tx`, a SQLAlchemy Session) its caller opened and
returns domain objects (or, for the loaders a use case changes, the row). Storage imports
the domain; it never imports a service.
"""
