//! The example decks build cleanly, as the README promises.

mod common;

use std::path::Path;

#[test]
fn example_decks_build_without_warnings() {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    // Text that only a chart or diagram of the deck puts on a page: a value label, an
    // annotation, a donut share, a flow node.
    let drawn: [(&str, usize, &[&str]); 3] = [
        ("decks/cyber-bill-2025.md", 30, &["7,000", "コロナ禍で急増"]),
        ("decks/cyber-war-2024.md", 28, &["41%", "読売・日経の経営陣", "パスワード解析"]),
        ("decks/active-cyber-defence-2024.md", 30, &["攻撃サーバの検知"]),
    ];
    for (deck, min_slides, labels) in drawn {
        let out = common::tempdir();
        let pdf = out.path().join("deck.pdf");
        let run = common::lectern(root, &["build", deck, "-o", pdf.to_str().unwrap()]);
        assert_eq!(run.status, 0, "{deck}: {}", run.stderr);
        assert!(!run.stderr.contains("warning"), "{deck}: {}", run.stderr);
        let pages = common::page_count(&pdf);
        assert!(pages >= min_slides, "{deck}: only {pages} pages");
        // Charts and diagrams carry their labels as text.
        let text = common::squash(&common::pages(&pdf).join(""));
        for label in labels {
            assert!(text.contains(label), "{deck}: no `{label}` on any page");
        }
    }
}
