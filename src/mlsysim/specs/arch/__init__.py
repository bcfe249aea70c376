"""Architecture arithmetic: parameter, FLOP and byte counts derived from the shape of a model."""
