"""Privacy-policy rules shared by the policy collector and the T3/T6 checks: readability, PI lexicon, fact
reading, consistency.
"""
