"""duban (督办): reads Chinese government documents, drafts the task ledger, runs supervision."""

__version__ = "0.1.0"
