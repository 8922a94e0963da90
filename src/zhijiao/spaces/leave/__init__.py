"""请假: a guardian asks leave for their child, the class's 班主任 decides, the class's teachers see it."""
