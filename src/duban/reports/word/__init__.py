"""Word documents in the layout of GB/T 9704-2012: 督办通知书, 督查通报, 周报."""
