"""Pure shared domain knowledge used by collectors and checks: policy readability and consistency, PI lexicon,
regions.
"""
