"""Official outputs: the Excel ledger (export and import) and Word documents in GB/T 9704 layout."""
