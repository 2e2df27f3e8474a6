"""`make bench`: cold-start, latency, DynamoDB-request and build-size figures, each against a baseline
measured in the same run (so the ratios, not the raw numbers, are what carry from machine to machine)."""
