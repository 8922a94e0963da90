"""家校沟通 messages: a thread between a guardian and a 班主任 or teacher of their child, quiet hours, moderation."""
