"""Structure report: package sizes, longest functions, the dependency matrix, layer breaches.

Run::

    python benchmarks/structure.py [SRC_DIR] [--top 20] [--json]

``SRC_DIR`` defaults to this checkout's ``src/micromix``; point it at another checkout (e.g. a
``git worktree`` of ``main``) to compare before and after. Everything is read with :mod:`ast`,
so nothing is imported and no engine starts. Imports inside functions are counted like the
others (they are dependencies all the same) and also reported on their own.

The layers are those of ``docs/architecture.md``: an arrow from package A to package B is a
*breach* when B sits in a higher layer than A, or in the same layer outside the domain layer
(``simulate`` may import only ``shared`` and ``schema``). Arrows between domain packages are
allowed but listed (they must not form a circle; the cycles line says whether they do). This
script measures; the enforced contract is the import-linter configuration in ``pyproject.toml``.
"""

from __future__ import annotations

import argparse
import ast
import json
import sys
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

#: shared modules at the top of the package (errors, config, checks, registry, jsonutil)
SHARED_MODULES = frozenset({"errors", "config", "checks", "registry", "jsonutil", "__init__"})

#: names that are modules or packages directly under micromix (filled by :func:`scan`)
PACKAGES: set[str] = set()

#: layer of each package; higher numbers may import lower ones
LAYERS: dict[str, int] = {
    "shared": 0,
    "schema": 1,
    "store": 2,
    "ingest": 3,
    "simulate": 3,
    "metrics": 4,
    "moments": 4,
    "social": 4,
    "influencers": 4,
    "audience": 4,
    "measurement": 4,
    "clv": 4,
    "optimize": 5,
    "plan": 6,
    "reports": 7,
    "dashboard": 8,
    "api": 9,
    "cli": 10,
}
#: the domain layer: its packages may use one another, never in a circle
DOMAIN_LAYER = 4


@dataclass
class Module:
    name: str
    package: str
    lines: int
    functions: list[tuple[str, int]] = field(default_factory=list)
    imports: list[tuple[str, bool]] = field(default_factory=list)  # (target, inside a function)


def package_of(parts: list[str]) -> str:
    """``['metrics', 'kpis']`` -> ``metrics``; top-level shared modules -> ``shared``."""
    if len(parts) == 1 and parts[0] in SHARED_MODULES:
        return "shared"
    return parts[0]


def _resolve(node: ast.ImportFrom, modname: str, is_pkg: bool) -> str | None:
    if node.level == 0:
        return node.module
    base = modname.split(".")
    base = base if is_pkg else base[:-1]
    base = base[: len(base) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _targets(node: ast.AST, modname: str, is_pkg: bool) -> list[str]:
    if isinstance(node, ast.Import):
        return [a.name for a in node.names]
    if isinstance(node, ast.ImportFrom):
        mod = _resolve(node, modname, is_pkg)
        if mod is None:
            return []
        if mod == "micromix":  # from micromix import errors / __version__
            return [f"micromix.{a.name}" if a.name in PACKAGES else mod for a in node.names]
        return [mod]
    return []


def _walk(tree: ast.AST, mod: Module, modname: str, is_pkg: bool) -> None:
    def visit(node: ast.AST, in_func: bool, prefix: str) -> None:
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef):
                qual = f"{prefix}{child.name}"
                end = child.end_lineno or child.lineno
                start = min([child.lineno, *(d.lineno for d in child.decorator_list)])
                mod.functions.append((qual, end - start + 1))
                visit(child, True, f"{qual}.")
            elif isinstance(child, ast.ClassDef):
                visit(child, in_func, f"{prefix}{child.name}.")
            else:
                for target in _targets(child, modname, is_pkg):
                    mod.imports.append((target, in_func))
                visit(child, in_func, prefix)

    visit(tree, False, "")


def scan(src: Path) -> list[Module]:
    """Parse every module under ``src`` (the ``micromix`` package directory)."""
    modules = []
    PACKAGES.update(p.stem for p in src.iterdir() if p.suffix == ".py" or p.is_dir())
    for path in sorted(src.rglob("*.py")):
        rel = path.relative_to(src)
        parts = list(rel.with_suffix("").parts)
        is_pkg = parts[-1] == "__init__"
        dotted = ["micromix", *(parts[:-1] if is_pkg else parts)]
        text = path.read_text(encoding="utf-8")
        mod = Module(".".join(dotted), package_of(parts), len(text.splitlines()))
        _walk(ast.parse(text), mod, ".".join(dotted), is_pkg)
        modules.append(mod)
    return modules


def dependency_matrix(modules: list[Module]) -> dict[tuple[str, str], int]:
    """``(from_package, to_package) -> number of import statements`` between packages."""
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for mod in modules:
        for target, _ in mod.imports:
            parts = target.split(".")
            if parts[0] != "micromix" or len(parts) < 2:
                continue
            dest = package_of(parts[1:2])
            if dest != mod.package:
                counts[(mod.package, dest)] += 1
    return dict(counts)


def module_graph(modules: list[Module]) -> dict[tuple[str, str], int]:
    """``(module, imported micromix module) -> count``; a package import points at its ``__init__``."""
    names = {m.name for m in modules}
    counts: dict[tuple[str, str], int] = defaultdict(int)
    for mod in modules:
        for target, _ in mod.imports:
            while target and target not in names:
                target = target.rpartition(".")[0]
            if target.startswith("micromix") and target != mod.name:
                counts[(mod.name, target)] += 1
    return dict(counts)


def cycles(matrix: dict[tuple[str, str], int]) -> list[list[str]]:
    """Strongly connected components with more than one package (Tarjan)."""
    graph: dict[str, set[str]] = defaultdict(set)
    for a, b in matrix:
        graph[a].add(b)
        graph.setdefault(b, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    out: list[list[str]] = []
    counter = [0]

    def strong(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                strong(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    sys.setrecursionlimit(10_000)
    for v in sorted(graph):
        if v not in index:
            strong(v)
    return out


def breaches(matrix: dict[tuple[str, str], int]) -> list[tuple[str, str, int]]:
    """Arrows that break the layer rule (upward, sideways outside the domain, simulate's rule)."""
    bad = []
    for (a, b), n in sorted(matrix.items()):
        la, lb = LAYERS.get(a), LAYERS.get(b)
        if la is None or lb is None:
            continue
        upward = lb > la or (lb == la and la not in (0, DOMAIN_LAYER))
        if a == "simulate" and b not in {"shared", "schema"}:
            upward = True
        if upward:
            bad.append((a, b, n))
    return bad


def sideways(matrix: dict[tuple[str, str], int]) -> list[tuple[str, str, int]]:
    """Arrows between domain packages (allowed while they form no circle)."""
    return [
        (a, b, n)
        for (a, b), n in sorted(matrix.items())
        if LAYERS.get(a) == LAYERS.get(b) == DOMAIN_LAYER
    ]


def report(src: Path, top: int) -> dict[str, object]:
    modules = scan(src)
    matrix = dependency_matrix(modules)
    sizes: dict[str, int] = defaultdict(int)
    for m in modules:
        sizes[m.package] += m.lines
    funcs = sorted(
        ((f"{m.name}.{q}", n) for m in modules for q, n in m.functions), key=lambda t: -t[1]
    )
    internal = [(m.name, t, f) for m in modules for t, f in m.imports if t.startswith("micromix")]
    return {
        "modules": len(modules),
        "lines": sum(m.lines for m in modules),
        "package_lines": dict(sorted(sizes.items(), key=lambda kv: -kv[1])),
        "largest_modules": sorted(((m.name, m.lines) for m in modules), key=lambda t: -t[1])[:top],
        "functions_over_80_lines": sum(1 for _, n in funcs if n > 80),
        "longest_functions": funcs[:top],
        "internal_imports": len(internal),
        "internal_imports_inside_functions": sum(1 for *_, f in internal if f),
        "matrix": {f"{a}->{b}": n for (a, b), n in sorted(matrix.items())},
        "cycles": cycles(matrix),
        "module_cycles": [
            c
            for c in cycles(module_graph(modules))
            # a package's __init__ re-exporting its own modules is not a cycle worth a line
            if not all(x == c[0] or x.startswith(c[0] + ".") for x in c)
        ],
        "layer_breaches": [f"{a}->{b} ({n})" for a, b, n in breaches(matrix)],
        "domain_arrows": [f"{a}->{b} ({n})" for a, b, n in sideways(matrix)],
    }


def _print_matrix(matrix: dict[str, int]) -> None:
    pairs = [k.split("->") for k in matrix]
    pkgs = sorted({p for pair in pairs for p in pair}, key=lambda p: (LAYERS.get(p, 99), p))
    width = max(len(p) for p in pkgs)
    short = [p[:4] for p in pkgs]
    print(" " * (width + 1) + " ".join(f"{s:>4}" for s in short))
    for a in pkgs:
        cells = [matrix.get(f"{a}->{b}", 0) for b in pkgs]
        print(f"{a:<{width}} " + " ".join(f"{c:>4}" if c else "   ." for c in cells))


def main(argv: list[str] | None = None) -> None:
    here = Path(__file__).resolve().parents[1] / "src" / "micromix"
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("src", nargs="?", type=Path, default=here)
    ap.add_argument("--top", type=int, default=20)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    rep = report(args.src, args.top)
    if args.json:
        print(json.dumps(rep, indent=2))
        return
    print(f"{rep['modules']} modules, {rep['lines']} lines")
    print("\nlines per package:")
    for pkg, n in rep["package_lines"].items():  # type: ignore[attr-defined]
        print(f"  {pkg:<12} {n:>6}")
    print("\nlargest modules:")
    for name, n in rep["largest_modules"]:  # type: ignore[attr-defined]
        print(f"  {n:>5}  {name}")
    print(f"\nfunctions over 80 lines: {rep['functions_over_80_lines']}; longest:")
    for name, n in rep["longest_functions"]:  # type: ignore[attr-defined]
        print(f"  {n:>5}  {name}")
    print(
        f"\ninternal imports: {rep['internal_imports']}, "
        f"inside functions: {rep['internal_imports_inside_functions']}"
    )
    print("\ndependency matrix (row imports column; import statements):")
    _print_matrix(rep["matrix"])  # type: ignore[arg-type]
    print(f"\ncycles between packages: {rep['cycles'] or 'none'}")
    print(f"cycles between modules: {rep['module_cycles'] or 'none'}")
    print(f"layer breaches: {rep['layer_breaches'] or 'none'}")
    print(f"arrows between domain packages: {rep['domain_arrows'] or 'none'}")


if __name__ == "__main__":
    main()
