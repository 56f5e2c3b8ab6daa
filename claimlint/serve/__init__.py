"""``claimlint serve``: a local web page for checking copy without a command line."""
