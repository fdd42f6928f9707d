"""Shared by the benchmark scripts (imported from their own folder)."""

from __future__ import annotations

import html
import re
import resource
from pathlib import Path


def peak_rss_mb() -> float:
    """This process's peak resident memory in MB: Linux's VmHWM, because ``ru_maxrss``
    survives exec and a spawned child would report its parent's peak."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except OSError:
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def real_texts(data: Path, *, ecbplus: bool = False) -> list[str]:
    """Plain text of the news in ``data`` (the shared datasets folder): PolNeAR train and
    dev, TempEval-3 (tags stripped), and optionally ECB+ (tokens joined)."""
    texts: list[str] = []
    for split in ("train", "dev"):
        for f in sorted((data / "polnear" / split / "text").glob("*")):
            texts.append(f.read_text(encoding="utf-8", errors="replace"))
    for f in sorted((data / "tempeval3").rglob("*.tml")):
        m = re.search(r"<TEXT>(.*?)</TEXT>", f.read_text(encoding="utf-8", errors="replace"), re.S)
        if m:
            texts.append(html.unescape(re.sub(r"<[^>]+>", "", m.group(1))))
    if ecbplus:
        for f in sorted((data / "ecbplus").rglob("*.xml")):
            toks = re.findall(r"<token[^>]*>([^<]*)</token>", f.read_text(encoding="utf-8", errors="replace"))
            texts.append(html.unescape(" ".join(toks)))
    return texts
