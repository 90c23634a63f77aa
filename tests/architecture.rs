//! The invariants of ARCHITECTURE.md that reading the source tree can check: which layer may
//! call the database, where a transaction may begin, how large a file may grow, and which way
//! the crates depend. Each check reads the files as text; a test module (everything from a
//! file's first `#[cfg(test)]` line on) and comment lines do not count.
//!
//! The allow-lists are empty since issue 11; should an exception ever be needed, a listed
//! file that no longer offends fails the test too, so a list only ever shrinks.
#![allow(clippy::unwrap_used)]

use std::{
    collections::BTreeSet,
    fs,
    path::{Path, PathBuf},
};

/// Most lines of non-test code a file in `crates/*/src` (or `src/`) may hold.
const MAX_LINES: usize = 500;

/// Files that still call the database directly from an edge: none.
const CONN_ALLOWED: &[&str] = &[];

/// Files over [`MAX_LINES`]: none.
const SIZE_ALLOWED: &[&str] = &[];

/// The one place a transaction begins.
const TRANSACTION_HELPER: &str = "crates/persistence/src/write.rs";

#[test]
fn rest_graphql_auth_and_app_do_not_call_the_database() {
    let edges = [
        "crates/api/src/rest",
        "crates/api/src/graphql",
        "crates/api/src/auth",
    ];
    let mut files: Vec<PathBuf> = edges.iter().flat_map(rust_files).collect();
    files.push(PathBuf::from("crates/api/src/app.rs"));
    files.push(PathBuf::from("crates/api/src/upkeep.rs"));
    let offenders = offending(&files, |line| line.contains(".conn()"));
    check_against(
        "call the database directly (`.conn()`); go through a `service` function",
        &offenders,
        CONN_ALLOWED,
    );
}

#[test]
fn only_the_write_helper_begins_a_transaction() {
    let files: Vec<PathBuf> = ["crates/api/src", "crates/persistence/src", "src"]
        .iter()
        .flat_map(rust_files)
        .filter(|f| f != Path::new(TRANSACTION_HELPER))
        .collect();
    let begins = |line: &str| {
        [
            ".begin(",
            ".begin_with_options(",
            ".transaction(",
            ".transaction_with_config(",
        ]
        .iter()
        .any(|call| line.contains(call))
            || line.to_ascii_uppercase().contains("\"BEGIN")
    };
    let offenders = offending(&files, begins);
    check_against(
        "begin a transaction; use `Database::write()`",
        &offenders,
        &[],
    );
    // The helper itself does begin one.
    assert!(
        !offending(&[PathBuf::from(TRANSACTION_HELPER)], begins).is_empty(),
        "{TRANSACTION_HELPER} no longer begins a transaction: update this test"
    );
}

#[test]
fn no_source_file_is_over_five_hundred_lines_of_non_test_code() {
    let mut files: Vec<PathBuf> = Vec::new();
    for krate in fs::read_dir(root().join("crates")).unwrap() {
        let src = krate.unwrap().path().join("src");
        if src.is_dir() {
            files.extend(rust_files(src.strip_prefix(root()).unwrap()));
        }
    }
    files.extend(rust_files("src"));
    assert!(files.len() > 50, "found only {} files", files.len());
    let offenders: BTreeSet<String> = files
        .iter()
        .filter(|f| non_test_lines(f).len() > MAX_LINES)
        .map(|f| name(f))
        .collect();
    let sizes: Vec<String> = offenders
        .iter()
        .map(|f| format!("{f}: {}", non_test_lines(Path::new(f)).len()))
        .collect();
    check_against(
        &format!("hold more than {MAX_LINES} lines of non-test code ({sizes:?}); split them"),
        &offenders,
        SIZE_ALLOWED,
    );
}

#[test]
fn crates_depend_one_way() {
    // Each crate may depend on the workspace crates listed, and on no other.
    let allowed: &[(&str, &[&str])] = &[
        ("crates/domain", &[]),
        (
            "crates/persistence",
            &["chitieu-domain", "chitieu-migrations"],
        ),
        ("crates/api", &["chitieu-domain", "chitieu-persistence"]),
        ("migrations", &[]),
    ];
    let workspace = [
        "chitieu-domain",
        "chitieu-persistence",
        "chitieu-migrations",
        "chitieu-api",
    ];
    for (dir, may) in allowed {
        let manifest = fs::read_to_string(root().join(dir).join("Cargo.toml")).unwrap();
        let deps = dependencies(&manifest);
        for krate in workspace {
            if deps.contains(krate) {
                assert!(may.contains(&krate), "{dir} depends on {krate}");
            }
        }
        if *dir == "crates/api" || *dir == "crates/domain" {
            assert!(!deps.contains("sea-orm"), "{dir} depends on sea-orm");
        }
    }
}

/// Names of the `[dependencies]` of a manifest (not dev- or build-dependencies).
fn dependencies(manifest: &str) -> BTreeSet<String> {
    let mut deps = BTreeSet::new();
    let mut inside = false;
    for line in manifest.lines() {
        let line = line.trim();
        if line.starts_with('[') {
            inside = line == "[dependencies]";
        } else if inside && let Some((name, _)) = line.split_once('=') {
            let name = name.trim();
            if !name.is_empty() && !name.starts_with('#') {
                deps.insert(name.split('.').next().unwrap().to_owned());
            }
        }
    }
    deps
}

/// Fails when `offenders` differs from `allowed`: a new offender, or a listed file that no
/// longer offends (take it off the list).
fn check_against(what: &str, offenders: &BTreeSet<String>, allowed: &[&str]) {
    let allowed: BTreeSet<String> = allowed.iter().map(|s| (*s).to_owned()).collect();
    let new: Vec<&String> = offenders.difference(&allowed).collect();
    assert!(new.is_empty(), "these files {what}: {new:?}");
    let cleaned: Vec<&String> = allowed.difference(offenders).collect();
    assert!(
        cleaned.is_empty(),
        "these files no longer {what}: take them off the allow-list in tests/architecture.rs: {cleaned:?}"
    );
}

/// The files among `files` with a non-test, non-comment line that `bad` matches.
fn offending(files: &[PathBuf], bad: impl Fn(&str) -> bool) -> BTreeSet<String> {
    files
        .iter()
        .filter(|f| {
            non_test_lines(f).iter().any(|line| {
                let code = line.trim_start();
                !code.starts_with("//") && bad(code)
            })
        })
        .map(|f| name(f))
        .collect()
}

/// The lines of a file before its first `#[cfg(test)]` line: what the size rule counts.
fn non_test_lines(file: &Path) -> Vec<String> {
    fs::read_to_string(root().join(file))
        .unwrap()
        .lines()
        .take_while(|l| !l.starts_with("#[cfg(test)]"))
        .map(str::to_owned)
        .collect()
}

/// Every `.rs` file under `dir` (relative to the workspace root), as paths relative to it.
fn rust_files(dir: impl AsRef<Path>) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![root().join(dir.as_ref())];
    while let Some(d) = todo.pop() {
        for entry in fs::read_dir(&d).unwrap_or_else(|e| panic!("{}: {e}", d.display())) {
            let path = entry.unwrap().path();
            if path.is_dir() {
                todo.push(path);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push(path.strip_prefix(root()).unwrap().to_owned());
            }
        }
    }
    out.sort();
    out
}

fn name(file: &Path) -> String {
    file.to_string_lossy().replace('\\', "/")
}

fn root() -> &'static Path {
    Path::new(env!("CARGO_MANIFEST_DIR"))
}
