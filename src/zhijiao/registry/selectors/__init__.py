"""Scoped reads of the registry: ``org`` (schools, classes, region figures) and ``people`` (pupils, staff,
profiles that audit what they unmask). Every function takes ``actor`` and sees only the actor's subtree."""
