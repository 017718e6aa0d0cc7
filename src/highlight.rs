//! Code blocks' syntax highlighting, started early. Typst highlights a code block with
//! syntect, whose patterns for a language are compiled the first time a line of it is
//! highlighted: 40–110 ms for Python, JavaScript or Bash, inside the layout of the one
//! slide that shows the code, while the other layout threads wait at the end of the deck.
//! The same highlighting done on a thread of its own while the Markdown stages run
//! compiles those patterns in the set Typst uses (`typst::text::RAW_SYNTAXES`), so the
//! layout finds them ready (or waits for the one being compiled, never compiling it twice).

use std::collections::HashSet;
use std::sync::{LazyLock, Mutex};

use crate::model::{Block, Deck};

/// Lines of a code block highlighted ahead of Typst.
const LINES_PER_BLOCK: usize = 60;

/// Highlights, on a thread of its own, every code block of `deck` in a language Typst
/// highlights with syntect and that this process has not highlighted yet.
pub fn start(deck: &Deck) {
    // The code already highlighted by this process (watch mode rebuilds), by digest.
    static DONE: LazyLock<Mutex<HashSet<u128>>> = LazyLock::new(Default::default);
    let mut fresh: Vec<(String, String)> = Vec::new();
    {
        let mut done = DONE.lock().unwrap_or_else(|e| e.into_inner());
        if done.len() > 10_000 {
            done.clear();
        }
        for slide in &deck.slides {
            crate::model::visit_blocks(&slide.blocks, &mut |block| {
                let Block::Code { lang: Some(lang), text, .. } = block else { return };
                let lang = lang.to_lowercase();
                // Typst highlights its own languages with its parser, not syntect.
                if matches!(lang.as_str(), "typ" | "typst" | "typc" | "typm") {
                    return;
                }
                let digest = crate::fitcache::digest(&(&lang, text));
                if done.insert(digest) {
                    fresh.push((lang, text.clone()));
                }
            });
        }
    }
    if fresh.is_empty() {
        return;
    }
    let _ = std::thread::Builder::new().name("lectern-highlight".into()).spawn(move || {
        let set = &*typst::text::RAW_SYNTAXES;
        for (lang, text) in fresh {
            let Some(syntax) = set.find_syntax_by_token(&lang) else { continue };
            let mut lines = syntect::easy::HighlightLines::new(syntax, &typst::text::RAW_THEME);
            // The first lines meet most of a language's patterns; a long block's later
            // ones are left to Typst (this thread would only highlight them twice).
            for line in text.lines().take(LINES_PER_BLOCK) {
                // A line syntect cannot highlight is Typst's to show as it is.
                if lines.highlight_line(line, set).is_err() {
                    break;
                }
            }
        }
    });
}
