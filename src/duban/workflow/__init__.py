"""The 督办 workflow: the state table, derived warnings, and (as they come) the services that apply them.

Core code: imports no web framework.
"""
