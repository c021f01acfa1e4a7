"""Call scripts (SOP 01-03) as data, and the teleprompter's step timer."""
