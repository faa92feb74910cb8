"""Administration pages: users and role overrides, departments, links to other admin tools."""
