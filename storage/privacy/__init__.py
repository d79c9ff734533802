"""A member's data rights: what is stored about them (holdings) and its erasure (forget)."""
