"""Privacy-policy collector: fetch or read a policy (HTML, PDF, DOCX, TXT), structure it and classify its sentences."""
