"""The yardstick page for the benchmarks: the base layout and nothing else."""

from django.shortcuts import render


def bench_trivial(request):
    """The base layout with no data. `bench_pages` and `bench_throughput`
    compare every page's server time with this one's, measured in the same
    run: the ratio says what a page costs beyond the layout (session, user,
    navigation) that every page pays."""
    return render(request, "study/bench_trivial.html")
