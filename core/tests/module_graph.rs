//! No import circle among the core's modules.
//!
//! The graph's nodes are the top-level modules of `core/src`, and the first-level modules of
//! `protocol`, `vendors` and `verify` (`protocol::wire`, `vendors::huawei`, …). An edge is a
//! path naming another module's item outside `#[cfg(test)]` code: a `use`, a path in code, or a
//! path in a macro's tokens (the registry's `ytx::YtxConfig`). Re-exports are followed to the
//! module that defines the item, so `crate::Vendor` is an edge to `vendors::id`. The crate root
//! only declares and re-exports, so it is no node.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use syn::visit::Visit;

/// Modules whose first-level children are nodes of their own.
const SPLIT: [&str; 3] = ["protocol", "vendors", "verify"];

type Module = Vec<String>;

#[derive(Default)]
struct Crate {
    /// Every module, from the files and the inline `mod` blocks.
    modules: BTreeSet<Module>,
    /// Per module, the names it re-exports (`pub use a::b as c`) and the paths they stand for.
    exports: BTreeMap<Module, BTreeMap<String, Vec<String>>>,
    /// Per module, the paths it names, and the item they are named in (for the report).
    paths: Vec<(Module, Vec<String>, String)>,
}

fn module_of(src: &Path, file: &Path) -> Module {
    let relative = file.strip_prefix(src).unwrap().with_extension("");
    let mut parts: Module = relative
        .iter()
        .map(|p| p.to_string_lossy().into_owned())
        .collect();
    if matches!(parts.last().map(String::as_str), Some("mod" | "lib")) {
        parts.pop();
    }
    parts
}

struct FileVisitor<'a> {
    krate: &'a mut Crate,
    module: Module,
}

impl FileVisitor<'_> {
    fn name(&mut self, path: Vec<String>) {
        self.krate
            .paths
            .push((self.module.clone(), path, self.module.join("::")));
    }

    /// Flattens a `use` tree into full paths; re-exports are remembered under their names.
    fn use_tree(&mut self, tree: &syn::UseTree, prefix: Vec<String>, public: bool) {
        let joined = |name: &syn::Ident| [prefix.clone(), vec![name.to_string()]].concat();
        match tree {
            syn::UseTree::Path(p) => self.use_tree(&p.tree, joined(&p.ident), public),
            syn::UseTree::Group(g) => {
                for tree in &g.items {
                    self.use_tree(tree, prefix.clone(), public);
                }
            }
            syn::UseTree::Name(n) => self.used(joined(&n.ident), n.ident.to_string(), public),
            syn::UseTree::Rename(r) => self.used(joined(&r.ident), r.rename.to_string(), public),
            syn::UseTree::Glob(_) => self.name(prefix),
        }
    }

    fn used(&mut self, path: Vec<String>, name: String, public: bool) {
        if public {
            self.krate
                .exports
                .entry(self.module.clone())
                .or_default()
                .insert(name, path.clone());
        }
        self.name(path);
    }
}

fn is_test_only(attrs: &[syn::Attribute]) -> bool {
    attrs.iter().any(|a| {
        a.path().is_ident("cfg")
            && a.parse_args::<syn::Meta>()
                .is_ok_and(|m| m.path().is_ident("test"))
    })
}

impl<'ast> Visit<'ast> for FileVisitor<'_> {
    fn visit_item(&mut self, item: &'ast syn::Item) {
        let attrs = match item {
            syn::Item::Mod(m) => &m.attrs,
            syn::Item::Fn(f) => &f.attrs,
            syn::Item::Impl(i) => &i.attrs,
            syn::Item::Use(u) => &u.attrs,
            _ => return syn::visit::visit_item(self, item),
        };
        if !is_test_only(attrs) {
            syn::visit::visit_item(self, item);
        }
    }

    fn visit_item_mod(&mut self, item: &'ast syn::ItemMod) {
        let mut module = self.module.clone();
        module.push(item.ident.to_string());
        self.krate.modules.insert(module.clone());
        if item.content.is_some() {
            let outer = std::mem::replace(&mut self.module, module);
            syn::visit::visit_item_mod(self, item);
            self.module = outer;
        }
    }

    fn visit_item_use(&mut self, item: &'ast syn::ItemUse) {
        let public = !matches!(item.vis, syn::Visibility::Inherited);
        self.use_tree(&item.tree, Vec::new(), public);
    }

    fn visit_path(&mut self, path: &'ast syn::Path) {
        self.name(path.segments.iter().map(|s| s.ident.to_string()).collect());
        syn::visit::visit_path(self, path);
    }

    /// Macro bodies are tokens, not syntax: every `a::b::c` run in them is taken as a path.
    fn visit_macro(&mut self, mac: &'ast syn::Macro) {
        let text = mac.tokens.to_string();
        let tokens: Vec<&str> = text.split_whitespace().collect();
        let mut i = 0;
        while i < tokens.len() {
            let mut path = vec![tokens[i].to_owned()];
            while tokens.get(i + 1) == Some(&"::") && i + 2 < tokens.len() {
                path.push(tokens[i + 2].to_owned());
                i += 2;
            }
            if path.len() > 1 {
                self.name(path);
            }
            i += 1;
        }
        syn::visit::visit_macro(self, mac);
    }
}

fn read_crate(src: &Path) -> Crate {
    let mut krate = Crate::default();
    let mut files = vec![src.to_path_buf()];
    while let Some(path) = files.pop() {
        if path.is_dir() {
            files.extend(std::fs::read_dir(&path).unwrap().map(|e| e.unwrap().path()));
            continue;
        }
        if path.extension().is_none_or(|e| e != "rs") {
            continue;
        }
        let text = std::fs::read_to_string(&path).unwrap();
        let file = syn::parse_file(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
        let module = module_of(src, &path);
        krate.modules.insert(module.clone());
        FileVisitor {
            krate: &mut krate,
            module,
        }
        .visit_file(&file);
    }
    krate
}

impl Crate {
    /// The module a path names an item of, re-exports followed; `None` for other crates'
    /// paths and local names.
    fn resolve(&self, from: &Module, path: &[String], depth: usize) -> Option<Module> {
        let mut module: Module = match path.first()?.as_str() {
            "crate" => Vec::new(),
            "self" => from.clone(),
            "super" => from[..from.len().checked_sub(1)?].to_vec(),
            child => {
                let mut m = from.clone();
                m.push(child.to_owned());
                self.modules.contains(&m).then_some(())?;
                from.clone()
            }
        };
        let skip = usize::from(matches!(path[0].as_str(), "crate" | "self" | "super"));
        let mut rest = &path[skip..];
        while let Some(next) = rest.first() {
            let mut child = module.clone();
            child.push(next.clone());
            if next == "super" {
                module.pop();
            } else if self.modules.contains(&child) {
                module = child;
            } else {
                break;
            }
            rest = &rest[1..];
        }
        if let (Some(name), true) = (rest.first(), depth < 10) {
            if let Some(target) = self.exports.get(&module).and_then(|e| e.get(name)) {
                let target: Vec<String> = [target.clone(), rest[1..].to_vec()].concat();
                return self.resolve(&module, &target, depth + 1);
            }
        }
        Some(module)
    }

    /// Edges between nodes, each with one path that makes it.
    fn edges(&self) -> BTreeMap<(String, String), String> {
        let mut edges = BTreeMap::new();
        for (from, path, _) in &self.paths {
            let Some(to) = self.resolve(from, path, 0) else {
                continue;
            };
            let (from_node, to_node) = (node(from), node(&to));
            if from_node.is_empty() || to_node.is_empty() || from_node == to_node {
                continue;
            }
            edges
                .entry((from_node, to_node))
                .or_insert_with(|| format!("{} names {}", from.join("::"), path.join("::")));
        }
        edges
    }
}

fn node(module: &Module) -> String {
    let depth = if module.first().is_some_and(|m| SPLIT.contains(&m.as_str())) {
        2
    } else {
        1
    };
    module[..module.len().min(depth)].join("::")
}

/// A circle in the graph, as its nodes in order, if there is one.
fn find_cycle(edges: &BTreeMap<(String, String), String>) -> Option<Vec<String>> {
    let mut next: BTreeMap<&str, Vec<&str>> = BTreeMap::new();
    for (from, to) in edges.keys() {
        next.entry(from).or_default().push(to);
    }
    // Depth-first search; a node met again while still on the stack closes a circle.
    fn visit<'a>(
        node: &'a str,
        next: &BTreeMap<&'a str, Vec<&'a str>>,
        stack: &mut Vec<&'a str>,
        done: &mut BTreeSet<&'a str>,
    ) -> Option<Vec<String>> {
        if let Some(at) = stack.iter().position(|n| *n == node) {
            let mut cycle: Vec<String> = stack[at..].iter().map(|n| n.to_string()).collect();
            cycle.push(node.to_owned());
            return Some(cycle);
        }
        if !done.insert(node) {
            return None;
        }
        stack.push(node);
        for to in next.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(to, next, stack, done) {
                return Some(cycle);
            }
        }
        stack.pop();
        None
    }
    let (mut stack, mut done) = (Vec::new(), BTreeSet::new());
    next.keys()
        .find_map(|node| visit(node, &next, &mut stack, &mut done))
}

fn report(cycle: &[String], edges: &BTreeMap<(String, String), String>) -> String {
    cycle
        .windows(2)
        .map(|w| {
            format!(
                "{} -> {}: {}",
                w[0],
                w[1],
                edges[&(w[0].clone(), w[1].clone())]
            )
        })
        .collect::<Vec<_>>()
        .join("\n")
}

#[test]
fn the_core_modules_form_no_import_circle() {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let edges = read_crate(&src).edges();
    // The graph is read at all: vendors sit on the protocol layer, the registry on the vendors.
    for (from, to) in [
        ("vendors::ytx", "protocol::wire"),
        ("vendors", "vendors::ytx"),
        ("error", "vendors::id"),
        ("protocol::channel", "config"),
    ] {
        assert!(
            edges.contains_key(&(from.to_owned(), to.to_owned())),
            "no edge {from} -> {to} in {:#?}",
            edges.keys()
        );
    }
    if let Some(cycle) = find_cycle(&edges) {
        panic!("import circle:\n{}", report(&cycle, &edges));
    }
}

#[test]
fn a_circle_is_found_and_reported() {
    let dir = tempfile::tempdir().unwrap();
    let write = |name: &str, text: &str| std::fs::write(dir.path().join(name), text).unwrap();
    write("lib.rs", "mod a; mod b; mod c; pub use a::A;");
    write("a.rs", "use crate::b::B; pub struct A;");
    write("b.rs", "pub struct B(crate::c::C);");
    write(
        "c.rs",
        "pub struct C(crate::A);\n#[cfg(test)] mod tests { use crate::b::B; }",
    );
    let edges = read_crate(dir.path()).edges();
    let cycle = find_cycle(&edges).expect("a -> b -> c -> a");
    assert_eq!(cycle.len(), 4, "{cycle:?}");
    let shown = report(&cycle, &edges);
    assert!(shown.contains("c -> a: c names crate::A"), "{shown}");
    assert!(
        !edges.contains_key(&("c".into(), "b".into())),
        "test code is no edge"
    );
}
