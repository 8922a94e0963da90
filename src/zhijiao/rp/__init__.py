"""示例应用: a tiny relying party that signs people in through Zhijiao's OpenID Connect provider.

It is what a school's or a vendor's app does to join the platform's single sign-on, kept small enough to read
in one sitting: discovery, the authorization-code flow with PKCE (S256), state and nonce, ID-token validation
against the provider's JWKS, userinfo, RP-initiated logout and back-channel logout. The app itself
(``oidc``, ``sessions``, ``app``, ``pages``) does not import Django; only ``registration`` and the ``demo_rp``
command use Zhijiao's services to register the client.
"""
