"""Slots on a real llama-server: aggregate and per-stream decode at 1, 2, 4... slots, and whether
a seeded generation's text stays the same beside others.

    python -m bench.slots                          # make install's llama-server, the demo GGUF, slots 1,2,4
    python -m bench.slots --slots 1,2,4,8,16 --model /models/x.gguf --server-arg=-ngl --server-arg=99

For each slot count N it starts llama-server with `--parallel N` (each slot `--ctx-per-slot`),
decodes N seeded requests one after the other (alone), then the same N at once (together), and
prints, side by side in one run: single-stream decode tok/s, per-stream decode tok/s together,
aggregate tok/s together (all tokens / wall time of the batch), each as a ratio to N=1, and how
many of the N texts were identical alone and together, and identical to the same request on
the 1-slot server. The requests are the worker's own (testkit/llama_slots.py).

On a GPU machine give the model and `--server-arg=-ngl --server-arg=99` (and the flags your
llama-swap config uses): the same script measures the published slot curves there.
Results: bench/slots.md.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
from pathlib import Path

from testkit.llama_slots import Generation, demo_binary_and_model, generate, llama_server, together


def parse_args(argv: list[str] | None = None) -> argparse.Namespace:
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--slots", default="1,2,4", help="slot counts to measure, comma-separated [1,2,4]")
    p.add_argument("--tokens", type=int, default=128, help="max_tokens of each request [128]")
    p.add_argument("--temperature", type=float, default=0.8, help="sampling temperature [0.8]")
    p.add_argument("--ctx-per-slot", type=int, default=2048, help="context of each slot [2048]")
    p.add_argument(
        "--llama-server",
        type=Path,
        default=None,
        help="binary [LLAMA_SERVER, else the one make install built]",
    )
    p.add_argument("--model", type=Path, default=None, help="GGUF [the demo model]")
    p.add_argument("--server-arg", action="append", default=[], help="extra llama-server argument (repeat)")
    return p.parse_args(argv)


def main(argv: list[str] | None = None) -> None:
    args = parse_args(argv)
    counts = sorted({int(n) for n in args.slots.split(",") if n.strip()})
    if args.llama_server is None or args.model is None:
        binary, model = demo_binary_and_model()
        binary, model = args.llama_server or binary, args.model or model
    else:
        binary, model = args.llama_server, args.model
    log_dir = Path(tempfile.mkdtemp(prefix="bench-slots-"))
    print(f"llama-server {binary}\nmodel {model} ({model.stat().st_size / 1e6:.0f} MB)")
    print(f"load average at start: {' '.join(f'{x:.2f}' for x in os.getloadavg())}; cpus: {os.cpu_count()}")
    kwargs = {"max_tokens": args.tokens, "temperature": args.temperature}
    reference: dict[tuple[int, int], str] = {}
    rows = []
    for n in counts:
        jobs = [(i, 100 + i) for i in range(n)]
        with llama_server(binary, model, n, ctx_per_slot=args.ctx_per_slot, extra=args.server_arg,
                          log=log_dir / f"llama-server-{n}.log") as url:  # fmt: skip
            generate(url, 0, 1, **kwargs)  # warm-up: weights paged in, graph built
            alone = [generate(url, p, s, **kwargs) for p, s in jobs]
            side, wall_s = together(url, jobs, **kwargs)
            if n == counts[0]:  # every request of the largest batch, alone on the fewest slots
                for p, s in [(i, 100 + i) for i in range(max(counts))]:
                    reference[(p, s)] = generate(url, p, s, **kwargs).text
        rows.append((n, alone, side, wall_s))
    base_single = _mean_tps(rows[0][1])
    base_aggregate = _aggregate(rows[0][2], rows[0][3])
    print()
    print("| slots | single-stream tok/s | per-stream together tok/s | aggregate tok/s | aggregate / 1 slot"
          " | per-stream / single | texts same alone vs together | same alone on fewest slots |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|")
    for n, alone, side, wall_s in rows:
        single, per_stream, aggregate = _mean_tps(alone), _mean_tps(side), _aggregate(side, wall_s)
        same = sum(a.text == b.text for a, b in zip(alone, side, strict=True))
        as_one = sum(reference[(g.prompt, g.seed)] == g.text for g in side)
        known = len(side)
        print(f"| {n} | {single:.1f} | {per_stream:.1f} | {aggregate:.1f} | {aggregate / base_aggregate:.2f}"
              f" | {per_stream / single:.2f} | {same}/{n} | {as_one}/{known} |")  # fmt: skip
    print(f"\n(single-stream at 1 slot: {base_single:.1f} tok/s; server logs in {log_dir})")
    print(f"load average at end: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


def _mean_tps(gens: list[Generation]) -> float:
    return statistics.fmean(g.decode_tps for g in gens if g.decode_tps) if gens else 0.0


def _aggregate(gens: list[Generation], wall_s: float) -> float:
    return sum(g.tokens for g in gens) / wall_s if wall_s > 0 else 0.0


if __name__ == "__main__":
    main()
