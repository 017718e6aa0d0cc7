//! The example decks build cleanly, as the README promises.

mod common;

use std::path::Path;

#[test]
fn example_decks_build_without_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    for (deck, min_slides) in
        [("decks/cyber-bill-2025.md", 30), ("decks/cyber-war-2024.md", 28), ("decks/active-cyber-defence-2024.md", 30)]
    {
        let out = common::tempdir();
        let pdf = out.path().join("deck.pdf");
        let run = common::lectern(root, &["build", deck, "-o", pdf.to_str().unwrap()]);
        assert_eq!(run.status, 0, "{deck}: {}", run.stderr);
        assert!(!run.stderr.contains("warning"), "{deck}: {}", run.stderr);
        let pages = common::page_count(&pdf);
        assert!(pages >= min_slides, "{deck}: only {pages} pages");
        // Charts and diagrams carry their labels as text.
        let text = common::squash(&common::pages(&pdf).join(""));
        assert!(text.contains("2024"), "{deck}");
    }
}
