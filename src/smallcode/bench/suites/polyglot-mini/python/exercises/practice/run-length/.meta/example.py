import re
from itertools import groupby


def encode(text):
    out = []
    for ch, run in groupby(text):
        n = len(list(run))
        out.append(f"{n}{ch}" if n > 1 else ch)
    return "".join(out)


def decode(text):
    return "".join(ch * int(n or 1) for n, ch in re.findall(r"(\d*)(\D)", text))
