"""Career data: roles and what they need, job titles, imports (O*NET, ESCO, own roles)."""
