//! Replays every committed fuzz corpus (`fuzz/corpus/<target>/`: seeds and any crash
//! reproducers) through the very functions the fuzz targets call, so that a crash once found
//! stays fixed without nightly features or cargo-fuzz. The C ABI's target is replayed by
//! ffi-c's unit tests.

#[path = "../../fuzz/src/targets.rs"]
mod targets;

use std::path::PathBuf;

#[test]
fn every_fuzz_corpus_replays_without_a_panic() {
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../fuzz/corpus");
    let mut total = 0;
    for (name, target) in targets::CORE_TARGETS {
        let dir = root.join(name);
        let mut files: Vec<_> = std::fs::read_dir(&dir)
            .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
            .map(|entry| entry.expect("a corpus entry").path())
            .collect();
        files.sort();
        assert!(!files.is_empty(), "{name} has no corpus");
        for file in &files {
            let input = std::fs::read(file).expect("a corpus file");
            // A panic names the file that caused it.
            let outcome = std::panic::catch_unwind(|| target(&input));
            assert!(outcome.is_ok(), "{name} panics on {}", file.display());
        }
        total += files.len();
        println!("fuzz corpus {name}: {} inputs replayed", files.len());
    }
    println!("fuzz corpora: {total} inputs replayed");
}
