"""The bad-input corpus: builders (make_corpus) and expectations (cases)."""
