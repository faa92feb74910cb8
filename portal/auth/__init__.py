"""Who people are: departments, users, roles, sign-in."""
