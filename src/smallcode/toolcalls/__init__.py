"""The forgiving tool-call parser."""
