"""Markdown benchmark: the renderer on pathological text, at the length limit.

    python -m tests.benchmarks.bench_markdown              # every case, at the long-text limit
    python -m tests.benchmarks.bench_markdown --size 160000 --cases brackets
    python -m tests.benchmarks.bench_markdown --upstream   # plain markdown-it, for comparison

Each case of the corpus is a text made to stress one rule of the markdown
parser (unclosed brackets, nesting, long runs of one character...). For
each case it prints the time of `render_markdown` on a text of half the
size and of the full size (the median of `--repeat` runs each), and their
ratio, measured in the same run: a ratio near 2 means the time grows
linearly with the text, near 4 quadratically. With `--upstream` the
markdown step is markdown-it's own, without this project's changes.
The default size is the longest text a form accepts (MAX_LONG_TEXT), so
the full-size column is the most a single text can cost.
"""

import argparse
import os
import statistics
import time


def _nested_list(size):
    lines, depth = [], 0
    while sum(map(len, lines)) < size:
        lines.append("  " * depth + "- item\n")
        depth = (depth + 1) % 60
    return "".join(lines)


def _table(size):
    header = "| a | b | c |\n|---|:-:|--:|\n"
    return header + "| x | y | z |\n" * ((size - len(header)) // 14)


def _wide_table(size):
    columns = size // 8
    return "|a" * columns + "|\n" + "|-" * columns + "|\n" + "|b" * columns + "|\n"


def _backtick_runs(size):
    parts, length = [], 1
    while sum(map(len, parts)) < size:
        parts.append("`" * length + " a ")
        length = length % 200 + 1
    return "".join(parts)


def _repeat(unit):
    return lambda size: unit * max(1, size // len(unit))


# name → function of a size in characters returning a text of about that size.
CORPUS = {
    "brackets": _repeat("["),
    "image brackets": _repeat("!["),
    "brackets and newlines": _repeat("[\n"),
    "brackets and words": _repeat("[a "),
    "brackets closed at the end": lambda size: "[" * (size - 1) + "]",
    "nested brackets": lambda size: "[" * (size // 2) + "]" * (size // 2),
    "unclosed links": _repeat("[a]("),
    "unclosed link destinations": _repeat("[a](<b"),
    "reference links": lambda size: "[a]: /u\n\n" + "[a]" * (size // 3),
    "newlines": _repeat("\n"),
    "short lines": _repeat("a\n"),
    "paragraphs": _repeat("a\n\n"),
    "hard breaks": _repeat("\\\n"),
    "nested emphasis": lambda size: "*" * (size // 2) + "a" + "*" * (size // 2),
    "mixed emphasis": _repeat("*_"),
    "unclosed strong": _repeat("**a"),
    "strikethrough": _repeat("~~a"),
    "nested lists": _repeat("- "),
    "indented lists": _nested_list,
    "nested blockquotes": _repeat("> "),
    "blockquote lines": _repeat("> a\n"),
    "quoted lists": _repeat("> - "),
    "long table": _table,
    "wide table": _wide_table,
    "backticks": _repeat("`"),
    "backtick runs": _backtick_runs,
    "code spans": _repeat("`a` "),
    "dollars": _repeat("$"),
    "inline formulas": _repeat("$x$ "),
    "long formula": lambda size: "$" + "x+" * (size // 2 - 1) + "y$",
    "matrix": lambda size: "$$\\begin{matrix}" + "a&" * (size // 2 - 16) + "\\end{matrix}$$",
    "entities": _repeat("&#"),
    "angle brackets": _repeat("<a "),
    "headings": _repeat("# a\n"),
    "fences": _repeat("```\n"),
    "escapes": _repeat("\\"),
}


def median_time(render, text, repeat):
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        render(text)
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "studygroup.settings")
    import django

    django.setup()
    from sessions import markdown

    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=markdown.MAX_LONG_TEXT)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--cases", nargs="*", default=list(CORPUS), choices=list(CORPUS))
    parser.add_argument("--upstream", action="store_true", help="markdown-it without our changes")
    args = parser.parse_args()

    render = markdown.render_markdown
    if args.upstream:
        from markdown_it import helpers

        markdown._markdown.helpers = helpers

    print(f"{'case':28} {'half':>10} {'full':>10} {'ratio':>6}   ({args.size} characters)")
    slowest = 0.0
    for name in args.cases:
        half = median_time(render, CORPUS[name](args.size // 2), args.repeat)
        full = median_time(render, CORPUS[name](args.size), args.repeat)
        slowest = max(slowest, full)
        print(f"{name:28} {half:9.3f}s {full:9.3f}s {full / half:6.2f}", flush=True)
    print(f"slowest at full size: {slowest:.3f}s")


if __name__ == "__main__":
    main()
