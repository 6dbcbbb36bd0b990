//! Lists that the docs, the package manifests and the bindings' type declarations repeat from the
//! core, held to it: adding a vendor, a secret variable, an error kind or an outcome to the core
//! fails here until every copy names it.

use std::path::Path;

use strum::VariantNames;
use voicecode::callbacks::EventKind;
use voicecode::config::secret_env_vars;
use voicecode::verify::{Check, Delivery};
use voicecode::{BalanceUnit, ErrorKind, Outcome, Product, SmsPurpose, Vendor};

/// A file of the repository, as text.
fn read(path: &str) -> String {
    let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    std::fs::read_to_string(root.join(path)).unwrap_or_else(|e| panic!("{path}: {e}"))
}

fn missing<'a>(text: &str, names: impl IntoIterator<Item = &'a str>) -> Vec<&'a str> {
    names.into_iter().filter(|n| !text.contains(n)).collect()
}

#[test]
fn every_doc_that_lists_the_secret_variables_lists_all() {
    let vars = secret_env_vars();
    assert!(vars.len() > 1, "{vars:?}");
    for doc in [
        "README.md",
        "bindings-node/README.md",
        "bindings-node/index.d.ts",
        "bindings-python/README.md",
        "bindings-python/python/voicecode/_voicecode.pyi",
    ] {
        let gaps = missing(&read(doc), vars.iter().map(String::as_str));
        assert!(gaps.is_empty(), "{doc} does not list {gaps:?}");
    }
}

#[test]
fn every_package_description_names_every_vendor() {
    for (manifest, key) in [
        ("core/Cargo.toml", "description = "),
        ("bindings-python/pyproject.toml", "description = "),
        ("bindings-node/package.json", "\"description\": "),
        ("bindings-php/composer.json", "\"description\": "),
        ("bindings-java/pom.xml", "<description>"),
    ] {
        let text = read(manifest);
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with(key))
            .unwrap_or_else(|| panic!("{manifest} has no {key}"));
        let gaps = missing(line, Vendor::ALL.map(Vendor::display_name));
        assert!(gaps.is_empty(), "{manifest}'s description omits {gaps:?}");
    }
}

/// The first cells of the README table whose header row is `header`, and the rows.
fn table(readme: &str, header: &str) -> Vec<Vec<String>> {
    let rows = readme
        .lines()
        .skip_while(|l| *l != header)
        .skip(2)
        .take_while(|l| l.starts_with('|'));
    rows.map(|row| {
        row.trim_matches('|')
            .split('|')
            .map(|cell| cell.trim().trim_matches('`').to_owned())
            .collect()
    })
    .collect()
}

#[test]
fn the_readme_vendor_and_config_tables_have_one_row_per_vendor() {
    let readme = read("README.md");
    let ids: Vec<&str> = Vendor::ALL.map(Vendor::as_str).to_vec();
    let vendors = table(&readme, "| vendor id | vendor | operations |");
    let listed: Vec<&str> = vendors.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(listed, ids, "the vendor table");
    for (row, vendor) in vendors.iter().zip(Vendor::ALL) {
        assert!(row[1].contains(vendor.display_name()), "{row:?}");
    }
    let configs = table(&readme, "| vendor | keys |");
    let listed: Vec<&str> = configs.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(listed[0], "all");
    assert_eq!(listed[1..], ids, "the config table");
}

#[test]
fn the_readme_sms_table_has_one_row_per_sms_product() {
    let readme = read("README.md");
    let offering: Vec<&str> = Vendor::ALL
        .into_iter()
        .filter(|v| v.products().contains(&Product::Sms))
        .map(Vendor::as_str)
        .collect();
    let rows = table(&readme, "| SMS product | vendor | operation | keys |");
    let listed: Vec<&str> = rows.iter().map(|row| row[0].as_str()).collect();
    assert_eq!(listed, offering, "the SMS product table");
}

/// The string literals of `Name = Literal[...]` in a Python file.
fn python_literal(text: &str, name: &str) -> Vec<String> {
    let start = text
        .find(&format!("\n{name} = Literal["))
        .unwrap_or_else(|| panic!("no Literal {name}"));
    let body = &text[start..];
    quoted(&body[..body.find(']').unwrap()], '"')
}

/// The string literals of `export type Name = 'a' | 'b'` in a .d.ts file (up to a blank line).
fn ts_union(text: &str, name: &str) -> Vec<String> {
    let start = text
        .find(&format!("export type {name} ="))
        .unwrap_or_else(|| panic!("no type {name}"));
    let body = &text[start..];
    quoted(&body[..body.find("\n\n").unwrap_or(body.len())], '\'')
}

fn quoted(text: &str, quote: char) -> Vec<String> {
    text.split(quote)
        .skip(1)
        .step_by(2)
        .map(str::to_owned)
        .collect()
}

/// Python's `_types.py` and Node's `api.d.ts` spell the core's names by hand, for type checkers;
/// each list is the core's, in its order.
#[test]
fn the_bindings_type_declarations_name_the_cores_lists() {
    let python = read("bindings-python/python/voicecode/_types.py");
    let node = read("bindings-node/src/api.d.ts");
    let vendors = Vendor::ALL.map(Vendor::as_str).to_vec();
    let kinds: Vec<&str> = ErrorKind::ALL.iter().map(|k| k.as_str()).collect();
    let products = Product::ALL.map(Product::as_str).to_vec();
    let lists: [(&str, Option<&str>, &[&str]); 9] = [
        ("Vendor", Some("Vendor"), &vendors),
        ("Product", Some("Product"), &products),
        ("ErrorKind", Some("ErrorCode"), &kinds),
        ("Outcome", Some("Outcome"), Outcome::VARIANTS),
        ("EventKind", Some("EventKind"), EventKind::VARIANTS),
        ("CheckStatus", Some("CheckStatus"), Check::VARIANTS),
        ("SmsPurpose", Some("SmsPurpose"), SmsPurpose::VARIANTS),
        ("BalanceUnit", None, BalanceUnit::VARIANTS),
        ("DeliveryStatus", None, Delivery::VARIANTS),
    ];
    for (py_name, ts_name, core) in lists {
        assert_eq!(
            python_literal(&python, py_name),
            core,
            "_types.py {py_name}"
        );
        if let Some(ts_name) = ts_name {
            assert_eq!(ts_union(&node, ts_name), core, "api.d.ts {ts_name}");
        }
    }
}
