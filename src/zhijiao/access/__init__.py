"""The access layer: roles, role grants and what they let an account see and do.

Every permission question is asked here (``scope.Scope`` and its predicates, ``permissions.require``); no code
outside this package reads role grants. It sits between the registry (org, people) and the domain apps.
"""
