"""The MLP pack's detectors: each names the catalog bugs of one function from behaviour,
comparing the student's answers with the reference's and its known-bug variants
(variants.py)."""
