"""The package's layout shows the pipeline: each layer imports only the layers below it, no module
imports itself back through others, and every module opens with one line saying what it is."""

from __future__ import annotations

import ast
from pathlib import Path

import cassibile

PACKAGE = Path(cassibile.__file__).parent

# Lowest first. A module of one layer may import from its own layer and from those below it.
LAYERS = [
    {"cassibile", "collector", "errors", "namespaces", "processes", "project", "terms"},  # shared basics ("cassibile": its __init__)
    {"sparql"},  # queries, endpoints, loading a store
    {"pipeline"},  # load, derive, reason, validate
    {"publish"},  # what the build writes: dumps, documents, Wikidata, VoID, site
    {"serve"},  # the publication on the web
    {"build", "fmt", "stats", "synthetic"},  # the commands' jobs
    {"cli", "__main__"},  # the command line on top
]
LAYER = {unit: rank for rank, units in enumerate(LAYERS) for unit in units}


def module_name(path: Path) -> str:
    parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


MODULES = {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imported(module: str) -> set[str]:
    """The package's modules that `module` imports, at its top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(MODULES[module].read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module and node.module.split(".")[0] == "cassibile":
            for alias in node.names:
                child = f"{node.module}.{alias.name}"
                found.add(child if child in MODULES else node.module)
        elif isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names if alias.name in MODULES}
    return found - {module}


def unit(module: str) -> str:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else parts[0]


def test_every_module_belongs_to_a_layer():
    assert {unit(module) for module in MODULES} <= set(LAYER), "a new module or package: give it a layer in LAYERS"


def test_each_layer_imports_only_from_the_layers_below_it():
    upward = [
        f"{module} ({unit(module)}) imports {target} ({unit(target)})"
        for module in MODULES
        for target in sorted(imported(module))
        if LAYER[unit(target)] > LAYER[unit(module)]
    ]
    assert upward == []


def test_no_module_imports_itself_back():
    graph = {module: imported(module) for module in MODULES}
    cycles = []

    def visit(module, path):
        for target in sorted(graph[module]):
            if target in path:
                cycles.append(" -> ".join(path[path.index(target):] + [target]))
            elif target not in done:
                visit(target, path + [target])
        done.add(module)

    done: set[str] = set()
    for module in MODULES:
        if module not in done:
            visit(module, [module])
    assert cycles == []


def test_every_module_opens_with_one_line_saying_what_it_is():
    missing = []
    for module, path in MODULES.items():
        docstring = ast.get_docstring(ast.parse(path.read_text(encoding="utf-8")))
        if not (docstring and docstring.splitlines()[0].strip()):
            missing.append(module)
    assert missing == []
