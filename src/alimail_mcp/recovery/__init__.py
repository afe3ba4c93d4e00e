"""The access-recovery planner: from a locked-out user's situation to one path, its steps and times.

`recover_access` (plan.py) is the entry point; models.py holds the result, importable on its own.
"""
