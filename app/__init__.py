"""Descent: a loss-landscape visualizer with torch-exact optimizers."""
