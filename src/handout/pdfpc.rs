//! The `.pdfpc` file for the pdfpc presenter console (format 2): one entry per PDF page,
//! labelled like the deck's PDF page labels (the slide number, shared by a slide's steps),
//! with the slide's notes as Markdown.

use serde::Serialize;

use crate::model::Deck;
use crate::pages::page_list;

/// pdfpc's schema allows exactly these keys (unknown ones are rejected).
#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PdfpcFile {
    pdfpc_format: u32,
    disable_markdown: bool,
    pages: Vec<PdfpcPage>,
}

#[derive(Serialize)]
#[serde(rename_all = "camelCase")]
struct PdfpcPage {
    idx: usize,
    label: String,
    overlay: usize,
    /// Steps of a slide are overlays of one another: say so rather than leave pdfpc to
    /// guess from the labels.
    #[serde(skip_serializing_if = "std::ops::Not::not")]
    forced_overlay: bool,
    #[serde(skip_serializing_if = "Option::is_none")]
    note: Option<String>,
}

/// The `.pdfpc` JSON for the deck as laid out.
pub fn pdfpc(deck: &Deck) -> String {
    let mut pages = Vec::new();
    for slide in page_list(deck) {
        let notes: Vec<&str> = deck.slides[slide.slide - 1].notes.iter().map(|n| n.text.trim()).collect();
        let note = notes.join("\n\n");
        for (overlay, page) in slide.pages.iter().enumerate() {
            pages.push(PdfpcPage {
                idx: page - 1,
                label: slide.slide.to_string(),
                overlay,
                forced_overlay: overlay > 0,
                note: (!note.is_empty()).then(|| note.clone()),
            });
        }
    }
    let file = PdfpcFile { pdfpc_format: 2, disable_markdown: false, pages };
    let mut json = serde_json::to_string(&file).expect("the .pdfpc data is plain JSON");
    json.push('\n');
    json
}
