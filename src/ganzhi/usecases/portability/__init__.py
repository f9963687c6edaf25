"""Number-portability answers: T9 eligibility checks run over streams of queries, and the verdict built from them."""
