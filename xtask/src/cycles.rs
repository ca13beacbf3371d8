//! No import circles: a module never depends, directly or through others, on a module that
//! depends on it. Checked by a test over the hand-written source of every crate.
//!
//! A module depends on the module that *defines* what it names: a path through a module that
//! only re-exports an item (`lib.rs`, a `mod.rs` table of contents) leads on to where the item
//! is defined, so re-exporting is not depending. Generated files are left out.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use syn::visit::Visit;

/// One module file: its path as segments (`["runtime", "decode"]`), what it defines, what it
/// re-exports (name → the path it comes from), and every `crate::`/`super::`/`self::` path it
/// names.
#[derive(Debug, Default)]
struct Module {
    defines: BTreeSet<String>,
    /// Name → the path as written (relative to this module unless it starts with `crate`,
    /// `self` or `super`).
    reexports: BTreeMap<String, Vec<String>>,
    /// Paths as written: in private `use` items and in code (a `pub use` alone re-exports).
    uses: Vec<Vec<String>>,
    /// Every name a `use` item brings into scope → its path as written.
    imports: BTreeMap<String, Vec<String>>,
}

/// The modules of the crate whose source folder is `src`, by module path, leaving
/// out the files `skip` names (generated ones).
fn modules(src: &Path, skip: &[&str]) -> Result<BTreeMap<Vec<String>, Module>, String> {
    let mut out = BTreeMap::new();
    let mut files: Vec<PathBuf> = Vec::new();
    let mut todo = vec![src.to_path_buf()];
    while let Some(dir) = todo.pop() {
        for entry in std::fs::read_dir(&dir).map_err(|e| format!("{}: {e}", dir.display()))?.flatten() {
            let path = entry.path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                files.push(path);
            }
        }
    }
    for file in files {
        let rel = file.strip_prefix(src).map_err(|e| e.to_string())?.to_string_lossy().replace('\\', "/");
        if skip.contains(&rel.as_str()) {
            continue;
        }
        let mut segments: Vec<String> = rel.trim_end_matches(".rs").split('/').map(String::from).collect();
        if matches!(segments.last().map(String::as_str), Some("mod" | "lib" | "main")) {
            segments.pop();
        }
        let text = std::fs::read_to_string(&file).map_err(|e| format!("{}: {e}", file.display()))?;
        let parsed = syn::parse_file(&text).map_err(|e| format!("{rel}: {e}"))?;
        let mut module = Module::default();
        for item in &parsed.items {
            record(item, &mut module);
        }
        let mut paths = Paths { found: Vec::new(), imports: BTreeMap::new() };
        paths.visit_file(&parsed);
        module.uses = paths.found;
        module.imports = paths.imports;
        out.insert(segments, module);
    }
    Ok(out)
}

fn record(item: &syn::Item, module: &mut Module) {
    let name = match item {
        syn::Item::Struct(i) => Some(i.ident.to_string()),
        syn::Item::Enum(i) => Some(i.ident.to_string()),
        syn::Item::Trait(i) => Some(i.ident.to_string()),
        syn::Item::Fn(i) => Some(i.sig.ident.to_string()),
        syn::Item::Const(i) => Some(i.ident.to_string()),
        syn::Item::Static(i) => Some(i.ident.to_string()),
        syn::Item::Type(i) => Some(i.ident.to_string()),
        syn::Item::Macro(i) => i.ident.as_ref().map(ToString::to_string),
        syn::Item::Use(u) if matches!(u.vis, syn::Visibility::Public(_) | syn::Visibility::Restricted(_)) => {
            let mut leaves = Vec::new();
            use_leaves(&u.tree, Vec::new(), &mut leaves);
            for (name, path) in leaves {
                module.reexports.insert(name, path);
            }
            None
        }
        _ => None,
    };
    if let Some(name) = name {
        module.defines.insert(name);
    }
}

/// Each name a `use` tree brings in, with its full path.
fn use_leaves(tree: &syn::UseTree, prefix: Vec<String>, out: &mut Vec<(String, Vec<String>)>) {
    match tree {
        syn::UseTree::Path(p) => {
            let mut next = prefix;
            next.push(p.ident.to_string());
            use_leaves(&p.tree, next, out);
        }
        syn::UseTree::Name(n) => {
            let mut path = prefix;
            path.push(n.ident.to_string());
            out.push((n.ident.to_string(), path));
        }
        syn::UseTree::Rename(r) => {
            let mut path = prefix;
            path.push(r.ident.to_string());
            out.push((r.rename.to_string(), path));
        }
        syn::UseTree::Group(g) => g.items.iter().for_each(|t| use_leaves(t, prefix.clone(), out)),
        syn::UseTree::Glob(_) => {}
    }
}

/// A path as written in module `at`, made absolute from the crate root; empty for paths
/// outside the crate (another crate, or a name in scope that is not a module of this one).
fn absolute(path: &[String], at: &[String], modules: &BTreeSet<Vec<String>>) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut rest = path;
    match rest.first().map(String::as_str) {
        Some("crate") => rest = &rest[1..],
        Some("self") => {
            out = at.to_vec();
            rest = &rest[1..];
        }
        Some("super") => {
            out = at.to_vec();
            while rest.first().map(String::as_str) == Some("super") {
                out.pop();
                rest = &rest[1..];
            }
        }
        // Relative to `at` when it names one of its child modules.
        Some(first) => {
            let mut child = at.to_vec();
            child.push(first.to_string());
            if !modules.contains(&child) {
                return Vec::new();
            }
            out = at.to_vec();
        }
        None => return Vec::new(),
    }
    out.extend(rest.iter().cloned());
    out
}

/// Every path of a file, as written, and what its `use` items bring into scope.
struct Paths {
    found: Vec<Vec<String>>,
    imports: BTreeMap<String, Vec<String>>,
}

impl<'a> Visit<'a> for Paths {
    fn visit_path(&mut self, p: &'a syn::Path) {
        self.found.push(p.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, p);
    }

    fn visit_item_use(&mut self, u: &'a syn::ItemUse) {
        let mut leaves = Vec::new();
        use_leaves(&u.tree, Vec::new(), &mut leaves);
        let reexport = matches!(u.vis, syn::Visibility::Public(_) | syn::Visibility::Restricted(_));
        for (name, path) in leaves {
            if !reexport {
                self.found.push(path.clone());
            }
            self.imports.insert(name, path);
        }
    }

    // A test module may use its parent freely: it is the parent's own code.
    fn visit_item_mod(&mut self, m: &'a syn::ItemMod) {
        if m.ident != "tests" {
            syn::visit::visit_item_mod(self, m);
        }
    }
}

/// The module that defines what `path` (absolute) names, following re-exports.
fn definer(path: &[String], modules: &BTreeMap<Vec<String>, Module>) -> Option<Vec<String>> {
    let names: BTreeSet<Vec<String>> = modules.keys().cloned().collect();
    let mut path = path.to_vec();
    for _ in 0..16 {
        // The longest prefix that is a module file; the segment after it is an item in it.
        let (module, item) = (0..=path.len())
            .rev()
            .find_map(|n| modules.get(&path[..n]).map(|_| (path[..n].to_vec(), path.get(n).cloned())))?;
        let Some(item) = item else { return Some(module) };
        let m = &modules[&module];
        let target = m.reexports.get(&item).map(|t| absolute(t, &module, &names));
        match target {
            Some(target) if !m.defines.contains(&item) && !target.is_empty() => {
                let mut next = target;
                next.extend(path[module.len() + 1..].iter().cloned());
                path = next;
            }
            _ => return Some(module),
        }
    }
    None
}

/// A set of modules that each depend, directly or through the others, on all the rest.
#[derive(Debug, PartialEq, Eq)]
pub struct Circle {
    /// The modules in it, `crate` for the root.
    pub modules: Vec<String>,
    /// The dependencies between them: (from, to).
    pub edges: Vec<(String, String)>,
}

impl std::fmt::Display for Circle {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let edges: Vec<String> = self.edges.iter().map(|(a, b)| format!("{a} → {b}")).collect();
        write!(f, "{} ({})", self.modules.join(", "), edges.join("; "))
    }
}

fn display(module: &[String]) -> String {
    if module.is_empty() {
        "crate".to_string()
    } else {
        module.join("::")
    }
}

/// The circles among a crate's modules.
pub fn circles(src: &Path, skip: &[&str]) -> Result<Vec<Circle>, String> {
    let modules = modules(src, skip)?;
    let names: BTreeSet<Vec<String>> = modules.keys().cloned().collect();
    let mut edges: BTreeMap<Vec<String>, BTreeSet<Vec<String>>> = BTreeMap::new();
    for (at, module) in &modules {
        for written in &module.uses {
            // A name brought in by a `use` stands for the path it was imported from.
            let written = match written.first().and_then(|first| module.imports.get(first)) {
                Some(imported) if imported != written => {
                    imported.iter().chain(written.iter().skip(1)).cloned().collect::<Vec<_>>()
                }
                _ => written.clone(),
            };
            let path = absolute(&written, at, &names);
            if path.is_empty() {
                continue;
            }
            if let Some(to) = definer(&path, &modules) {
                if to != *at {
                    edges.entry(at.clone()).or_default().insert(to);
                }
            }
        }
    }
    // Which modules each one reaches; two that reach each other are in one circle. Crates
    // here have tens of modules, so the quadratic way is the clear one.
    let reach = |from: &Vec<String>| {
        let mut seen = BTreeSet::new();
        let mut todo = vec![from.clone()];
        while let Some(m) = todo.pop() {
            for next in edges.get(&m).into_iter().flatten() {
                if seen.insert(next.clone()) {
                    todo.push(next.clone());
                }
            }
        }
        seen
    };
    let reaches: BTreeMap<&Vec<String>, BTreeSet<Vec<String>>> =
        names.iter().map(|n| (n, reach(n))).collect();
    let mut out = Vec::new();
    let mut placed: BTreeSet<&Vec<String>> = BTreeSet::new();
    for a in &names {
        if placed.contains(a) || !reaches[a].contains(a) {
            continue;
        }
        let inside: BTreeSet<&Vec<String>> =
            names.iter().filter(|b| reaches[a].contains(*b) && reaches[b].contains(a)).collect();
        placed.extend(inside.iter().copied());
        let mut circle = Circle { modules: inside.iter().map(|m| display(m)).collect(), edges: Vec::new() };
        for from in &inside {
            for to in edges.get(*from).into_iter().flatten().filter(|t| inside.contains(t)) {
                circle.edges.push((display(from), display(to)));
            }
        }
        out.push(circle);
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Files codegen writes (checked by their own tests, and not hand-maintained).
    const GENERATED: &[&str] = &[
        "areas.rs",
        "builder.rs",
        "client.rs",
        "events.rs",
        "operations.rs",
        "types.rs",
        "dispatch/generated.rs",
    ];

    #[test]
    fn no_module_imports_one_that_imports_it_back() {
        let root = crate::workspace::workspace_root();
        let mut all = Vec::new();
        for (krate, skip) in
            [("deel-api-gen/src", GENERATED), ("deel-api/src", &[][..]), ("xtask/src", &["main.rs"][..])]
        {
            let found = circles(&root.join(krate), skip).unwrap_or_else(|e| panic!("{krate}: {e}"));
            all.extend(found.into_iter().map(|c| format!("{krate}: {c}")));
        }
        assert!(all.is_empty(), "import circles:\n{}", all.join("\n"));
    }

    #[test]
    fn a_circle_is_found_and_a_reexport_is_not_one() {
        let dir = std::env::temp_dir().join(format!("deel-rs-cycles-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(dir.join("m")).unwrap_or_else(|e| panic!("{e}"));
        let write = |f: &str, t: &str| std::fs::write(dir.join(f), t).unwrap_or_else(|e| panic!("{e}"));
        write("lib.rs", "pub mod m; pub use m::a::A;");
        write("m/mod.rs", "pub mod a; pub mod b; pub use b::B;");
        write("m/a.rs", "pub struct A; fn f() -> crate::m::B { todo!() }");
        write("m/b.rs", "pub struct B; fn g() -> crate::A { todo!() }");
        let found = circles(&dir, &[]).unwrap_or_default();
        let modules: Vec<&[String]> = found.iter().map(|c| c.modules.as_slice()).collect();
        assert_eq!(
            modules,
            [["m::a".to_string(), "m::b".to_string()]],
            "a → b (through m's re-export) → a (through the root's)"
        );
        write("m/b.rs", "pub struct B;");
        assert!(circles(&dir, &[]).unwrap_or_default().is_empty());
        let _ = std::fs::remove_dir_all(&dir);
    }
}
