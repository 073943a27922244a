#!/usr/bin/env python3
"""Lists import cycles between the modules of each crate under crates/.

A module is a file (`src/a/b.rs` and `src/a/b/mod.rs` are `a::b`); module `m` depends on `n`
when a `use` path inside `m` (or a `crate::`/`super::`/`self::` path anywhere in its code)
names `n` or something inside `n`. Child modules are not counted as dependencies of their
parent (declaring `mod child;` is not a use), nor a module on itself. A path through a name the
crate root re-exports (`crate::PlatformError` for `pub use error::PlatformError`) counts against
the module the name comes from. Items defined in the crate root itself (lib.rs) are not counted:
a submodule may add `impl` blocks to a root type (tandem-baas's `Baas`). Tests (`#[cfg(test)]`
blocks, `tests.rs`, `proptests.rs`) are left out: they may reach anywhere.

Usage: scripts/module-cycles.py [crates/...]   exit status 1 when a cycle exists.
"""
import os
import re
import sys


def modules_of(src):
    mods = {}
    for root, _, files in os.walk(src):
        for f in files:
            if not f.endswith('.rs'):
                continue
            path = os.path.join(root, f)
            rel = os.path.relpath(path, src)[:-3].split(os.sep)
            if rel[-1] == 'mod':
                rel = rel[:-1]
            if rel in (['lib'], ['main']):
                rel = []
            if rel and rel[-1] in ('tests', 'proptests'):
                continue
            mods[tuple(rel)] = path
    return mods


def strip_tests(text):
    """Drops `#[cfg(test)] mod … { … }` blocks and comments."""
    text = re.sub(r'//[^\n]*', '', text)
    out, i = [], 0
    for m in re.finditer(r'#\[cfg\(test\)\]\s*mod\s+\w+\s*\{', text):
        if m.start() < i:
            continue
        out.append(text[i:m.start()])
        depth, j = 1, m.end()
        while j < len(text) and depth:
            depth += {'{': 1, '}': -1}.get(text[j], 0)
            j += 1
        i = j
    out.append(text[i:])
    return ''.join(out)


def paths_in(text):
    """Every path a `use` item brings in (braces expanded), plus inline crate::/super:: paths."""
    found = []
    for m in re.finditer(r'\buse\s+([^;]+);', text):
        found.extend(expand(m.group(1).replace('\n', ' ').replace(' ', '')))
    for m in re.finditer(r'\b((?:crate|super|self)(?:::\w+)+)', text):
        found.append(m.group(1))
    return found


def expand(tree):
    brace = tree.find('{')
    if brace < 0:
        return [tree.split(' as ')[0]]
    prefix, inner = tree[:brace], tree[brace + 1:tree.rfind('}')]
    parts, depth, cur = [], 0, ''
    for ch in inner:
        if ch == ',' and depth == 0:
            parts.append(cur)
            cur = ''
            continue
        depth += {'{': 1, '}': -1}.get(ch, 0)
        cur += ch
    parts.append(cur)
    out = []
    for p in parts:
        if p:
            out.extend(expand(prefix + p))
    return out


def resolve(path, here, mods, reexports=None):
    segs = path.split('::')
    if segs[0] == 'crate':
        base, segs = [], segs[1:]
    elif segs[0] in ('super', 'self'):
        base = list(here)
        while segs and segs[0] in ('super', 'self'):
            if segs[0] == 'super':
                base = base[:-1]
            segs = segs[1:]
    else:
        return None  # another crate, or a name in scope
    target = tuple(base)
    rest = list(segs)
    while rest and target + (rest[0],) in mods:
        target = target + (rest[0],)
        rest.pop(0)
    # `crate::Name` where the root re-exports `Name` (`pub use error::Name;`) means that module.
    if target == () and rest and reexports and rest[0] in reexports:
        return reexports[rest[0]]
    return target


def cycles(graph):
    index, low, stack, on, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
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
                out.append(comp)

    sys.setrecursionlimit(10000)
    for v in graph:
        if v not in index:
            visit(v)
    return out


def main():
    crates = sys.argv[1:] or sorted(
        os.path.join('crates', c) for c in os.listdir('crates') if os.path.isdir(os.path.join('crates', c, 'src')))
    bad = False
    for crate in crates:
        mods = modules_of(os.path.join(crate, 'src'))
        # Names the crate root re-exports, and the module each comes from.
        reexports = {}
        if () in mods:
            root_text = strip_tests(open(mods[()]).read())
            for m in re.finditer(r'\bpub\s+use\s+([^;]+);', root_text):
                for p in expand(m.group(1).replace('\n', ' ').replace(' ', '')):
                    name = p.split('::')[-1]
                    t = resolve('crate::' + p, (), mods)
                    if t:
                        reexports[name] = t
        graph = {}
        for here, path in mods.items():
            deps = set()
            for p in paths_in(strip_tests(open(path).read())):
                t = resolve(p, here, mods, reexports)
                # A module's own descendants and ancestors are not dependencies.
                if t is None or t == here or t[:len(here)] == here or here[:len(t)] == t:
                    continue
                deps.add(t)
            graph[here] = deps
        found = cycles(graph)
        # Again with each module folded into its top-level module (`graphql::scalars` is
        # `graphql`): a cycle through a child counts against its parent too.
        top = {}
        for here, deps in graph.items():
            if here:
                top.setdefault(here[:1], set()).update(d[:1] for d in deps if d and d[:1] != here[:1])
        found += [c for c in cycles(top) if not any(set(c) <= set(f) for f in found)]
        name = lambda m: '::'.join(m) or 'lib'
        if found:
            bad = True
            for comp in found:
                print(f'{crate}: cycle among {", ".join(sorted(name(m) for m in comp))}')
        else:
            print(f'{crate}: no module cycles ({len(mods)} modules)')
    sys.exit(1 if bad else 0)


if __name__ == '__main__':
    main()
