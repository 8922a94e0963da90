"""The demo region: a synthetic but realistic district (or city) built on real division codes."""
