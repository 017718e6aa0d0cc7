//! Checks that keep a stranger's deck from running code, leaking files or exhausting the
//! machine: link schemes, text that goes into generated comments, line endings, and the
//! size limits of [`crate::limits`] applied to the Markdown tree and the deck model.

use std::path::Path;

use comrak::arena_tree::NodeEdge;
use comrak::nodes::{AstNode, NodeValue};

use crate::diag::{Diagnostic, Failure, FileIdx, Sources, Span};
use crate::limits;
use crate::model::*;
use crate::paths::{inside_root, normalize};
use crate::themes::Theme;
use crate::vpaths;

/// Link targets a deck may put in the PDF, SVG or preview: web, mail and phone links, and
/// `#id` links to another slide. Never `javascript:`, `file:`, `data:` or relative paths
/// (which a viewer may resolve against the reader's disk).
pub fn is_safe_url(url: &str) -> bool {
    let url = url.trim();
    if url.starts_with('#') {
        return true;
    }
    let Some((scheme, rest)) = url.split_once(':') else { return false };
    scheme.chars().all(|c| c.is_ascii_alphanumeric() || "+-.".contains(c))
        && !rest.is_empty()
        && !url.chars().any(char::is_control)
        && matches!(scheme.to_ascii_lowercase().as_str(), "http" | "https" | "mailto" | "tel")
}

/// Text safe to put after `//` in generated Typst: every character Typst reads as a line
/// break (and any other control character) is written as `\u{…}` instead.
pub fn comment_text(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for c in text.chars() {
        if c.is_control() || matches!(c, '\u{85}' | '\u{2028}' | '\u{2029}') {
            out.push_str(&format!("\\u{{{:x}}}", c as u32));
        } else {
            out.push(c);
        }
    }
    out
}

/// Old Mac line endings (a lone CR) become LF, so the front matter and line numbers are
/// found as in any other file; CRLF stays as it is.
pub fn normalize_newlines(text: String) -> String {
    if !text.contains('\r') {
        return text;
    }
    let mut out = String::with_capacity(text.len());
    let mut chars = text.chars().peekable();
    while let Some(c) = chars.next() {
        if c == '\r' && chars.peek() != Some(&'\n') {
            out.push('\n');
        } else {
            out.push(c);
        }
    }
    out
}

/// A slide whose only blocks are `<!-- pause -->` shows nothing on any of its pages.
pub fn only_pauses(slide: &Slide) -> bool {
    slide.title.is_none()
        && slide.background.is_none()
        && slide.side_image.is_none()
        && !slide.blocks.is_empty()
        && slide.blocks.iter().all(|b| matches!(b, Block::Pause { .. }))
}

/// Refuses Markdown nested deeper than [`limits::NESTING`] (quotes, lists, fenced divs,
/// emphasis, links) before any recursive stage sees it: `>>>>…` three thousand deep
/// would otherwise overflow the stack. Walks the tree without recursion.
pub fn check_markdown_tree<'a>(root: &'a AstNode<'a>, file: FileIdx, sources: &Sources) -> Result<(), Failure> {
    let mut depth: u64 = 0;
    let nests = |node: &'a AstNode<'a>| {
        matches!(
            node.data().value,
            NodeValue::BlockQuote
                | NodeValue::MultilineBlockQuote(_)
                | NodeValue::List(_)
                | NodeValue::BlockDirective(_)
                | NodeValue::Emph
                | NodeValue::Strong
                | NodeValue::Strikethrough
                | NodeValue::Underline
                | NodeValue::Highlight
                | NodeValue::Superscript
                | NodeValue::Subscript
                | NodeValue::Link(_)
        )
    };
    for edge in root.traverse() {
        match edge {
            NodeEdge::Start(node) if nests(node) => {
                depth += 1;
                if limits::NESTING.exceeded(depth) {
                    let pos = node.data().sourcepos;
                    let start = sources.offset(file, pos.start.line, pos.start.column);
                    let span = sources.line_span(file, pos.start.line);
                    let span = Span::new(file, start.max(span.start)..span.end.max(start));
                    return Err(limits::NESTING.error(span, format!("content nested {depth} levels deep")).into());
                }
            }
            NodeEdge::End(node) if nests(node) => depth -= 1,
            _ => {}
        }
    }
    Ok(())
}

/// Applies the deck-wide limits: slides, pauses per slide, paragraph and formula length.
pub fn check_deck(deck: &Deck) -> Result<(), Failure> {
    let mut errors = Vec::new();
    if limits::SLIDES.exceeded(deck.slides.len() as u64) {
        let at = deck.slides.get(limits::SLIDES.get() as usize).map(|s| s.span);
        errors.push(limits::SLIDES.error(at, format!("the deck has {} slides", deck.slides.len())));
    }
    let mut total_items: u64 = 0;
    for slide in &deck.slides {
        // Pauses inside columns and quotes make steps too.
        let inner = slide.blocks.iter().flat_map(|b| match b {
            Block::Columns { columns, .. } => columns.iter().flat_map(|c| c.blocks.iter()).collect(),
            Block::Quote { blocks, .. } => blocks.iter().collect(),
            _ => vec![],
        });
        let pauses: Vec<Span> =
            slide.blocks.iter().chain(inner).filter(|b| matches!(b, Block::Pause { .. })).map(Block::span).collect();
        if limits::PAUSES.exceeded(pauses.len() as u64) {
            let at = pauses[limits::PAUSES.get() as usize];
            errors.push(limits::PAUSES.error(at, format!("this slide has {} pauses", pauses.len())));
        }
        let items = count_items(&slide.blocks);
        total_items = total_items.saturating_add(items);
        if limits::SLIDE_ITEMS.exceeded(items) {
            let found = format!("this slide has {items} blocks, list items, table cells, images and formulas");
            errors.push(limits::SLIDE_ITEMS.error(slide.span, found));
        } else if limits::DECK_ITEMS.exceeded(total_items) {
            let found = format!(
                "up to this slide the deck has {total_items} blocks, list items, table cells, images and formulas"
            );
            errors.push(limits::DECK_ITEMS.error(slide.span, found));
            break;
        }
        if let Some(title) = &slide.title {
            inlines(title, slide.span, &mut errors);
        }
        // Marp's header and footer directives are inherited by every later slide.
        for text in [&slide.header, &slide.footer].into_iter().flatten() {
            let n = text.chars().count() as u64;
            if limits::PARAGRAPH_CHARS.exceeded(n) {
                errors.push(
                    limits::PARAGRAPH_CHARS
                        .error(slide.span, format!("this slide's header or footer has {n} characters")),
                );
                break;
            }
        }
        blocks(&slide.blocks, &mut errors);
        if errors.len() > 10 {
            break;
        }
    }
    for footnote in &deck.footnotes {
        inlines(&footnote.body, footnote.span, &mut errors);
    }
    if errors.is_empty() { Ok(()) } else { Err(Failure(errors)) }
}

/// Front-matter text is bounded like a paragraph, and so is a footer or header once its
/// `{title}`-style placeholders are filled in: a footer of a thousand `{title}` would
/// otherwise multiply the title on every page (measured before it is expanded).
pub fn check_front_matter(meta: &crate::frontmatter::Meta, theme_footer: Option<&str>) -> Result<(), Failure> {
    let limit = &limits::PARAGRAPH_CHARS;
    let authors = meta.authors.join(", ");
    let keywords = meta.keywords.join(", ");
    let fields = [
        ("title", meta.title.as_deref()),
        ("subtitle", meta.subtitle.as_deref()),
        ("author", Some(authors.as_str())),
        ("affiliation", meta.affiliation.as_deref()),
        ("contact", meta.contact.as_deref()),
        ("date", meta.date.as_deref()),
        ("event", meta.event.as_deref()),
        ("description", meta.description.as_deref()),
        ("keywords", Some(keywords.as_str())),
    ];
    for (key, value) in fields {
        let n = value.map_or(0, |v| v.chars().count()) as u64;
        if limit.exceeded(n) {
            return Err(limit.error(meta.span, format!("front-matter `{key}` has {n} characters")).into());
        }
    }
    let placeholders = crate::frontmatter::template_placeholders(meta);
    let templates = [("footer", meta.footer.as_deref().or(theme_footer)), ("header", meta.header.as_deref())];
    for (key, template) in templates {
        let Some(template) = template else { continue };
        let expanded = placeholders.iter().fold(template.chars().count() as u64, |n, (name, value)| {
            let each = value.as_ref().map_or(0, |v| v.chars().count()) as u64;
            n.saturating_add((template.matches(name).count() as u64).saturating_mul(each))
        });
        if limit.exceeded(expanded) {
            let found = format!("the `{key}` has {expanded} characters once its placeholders are filled in");
            return Err(limit.error(meta.span, found).into());
        }
    }
    Ok(())
}

/// What Typst lays out one by one: every block, list item and table cell, and the
/// images, formulas and footnote marks inside text.
fn count_items(list: &[Block]) -> u64 {
    let mut items: u64 = 0;
    visit_blocks(list, &mut |block| {
        items += 1 + match block {
            Block::List(list) => list.items.len() as u64,
            Block::Table(t) => (t.header.len() + t.rows.iter().map(Vec::len).sum::<usize>()) as u64,
            _ => 0,
        };
        for own in block.own_inlines() {
            visit_inline_list(own, &mut |inline| {
                if matches!(inline, Inline::Image(_) | Inline::Math { .. } | Inline::FootnoteRef(_)) {
                    items += 1;
                }
            });
        }
    });
    items
}

/// Every text, formula and code block is within its bound.
fn blocks(list: &[Block], errors: &mut Vec<Diagnostic>) {
    visit_blocks(list, &mut |block| {
        for own in block.own_inlines() {
            inlines(own, block.span(), errors);
        }
        match block {
            Block::Math { text, span } => math(text, *span, errors),
            Block::Code { text, span, .. } => {
                let n = text.chars().count() as u64;
                // A code block is one paragraph of monospace text: the same bound, ten times.
                if n > limits::PARAGRAPH_CHARS.get().saturating_mul(10) {
                    errors.push(limits::PARAGRAPH_CHARS.error(*span, format!("this code block has {n} characters")));
                }
            }
            _ => {}
        }
    });
}

fn inlines(list: &[Inline], span: Span, errors: &mut Vec<Diagnostic>) {
    let n = plain_text(list).chars().count() as u64;
    if limits::PARAGRAPH_CHARS.exceeded(n) {
        errors.push(limits::PARAGRAPH_CHARS.error(span, format!("this paragraph has {n} characters")));
        return;
    }
    visit_inline_list(list, &mut |inline| {
        if let Inline::Math { text, span } = inline {
            math(text, *span, errors);
        }
    });
}

fn math(text: &str, span: Span, errors: &mut Vec<Diagnostic>) {
    let n = text.chars().count() as u64;
    if limits::MATH_CHARS.exceeded(n) {
        errors.push(limits::MATH_CHARS.error(span, format!("this formula has {n} characters")));
    }
}

/// Virtual paths of files lectern makes or embeds (chart code, built-in themes, the
/// logo and bibliography served from memory), as opposed to files of a theme folder.
pub fn is_internal_vpath(vpath: &str) -> bool {
    vpath.starts_with(crate::vpaths::ROOT) && !vpath.starts_with(crate::vpaths::USER_THEMES)
}

/// A Typst message in the author's terms: no `__lectern__/…` path and no absolute path
/// of the build root.
pub fn author_terms(message: &str, root: &Path) -> String {
    let mut out = message.to_string();
    let root = root.display().to_string();
    if !root.is_empty() && root != "/" {
        out = out.replace(&format!("{root}/"), "");
    }
    let unrooted = vpaths::ROOT.trim_start_matches('/');
    if !out.contains(unrooted) {
        return out;
    }
    for (vpath, name) in vpaths::AUTHOR_NAMES {
        out = out.replace(vpath, name).replace(vpath.trim_start_matches('/'), name);
    }
    // Anything left (a path lectern did not foresee) is still not the author's file.
    out.replace(vpaths::ROOT, "lectern's ").replace(unrooted, "lectern's ")
}

/// Reads the logo (`theme: {logo: …}` in the deck, or `logo:` in a theme folder's
/// theme.yaml) with the checks every deck image gets: inside the build root (a theme's
/// own logo may also lie in its theme folder), a regular file, an image lectern can read,
/// within the pixel limit. Errors name the logo as the author wrote it.
pub fn read_logo(path: &Path, root: &Path, theme: &Theme, from_deck: bool) -> Result<Vec<u8>, Diagnostic> {
    let path = normalize(&std::path::absolute(path).unwrap_or_else(|_| path.to_path_buf()));
    let shown = path.strip_prefix(root).map_or_else(|_| path.display().to_string(), |p| p.display().to_string());
    let in_theme = !from_deck && theme.folders.iter().any(|(_, dir)| inside_root(&path, dir));
    if !in_theme && !inside_root(&path, root) {
        return Err(Diagnostic::error(None, format!("logo `{shown}` lies outside the build root {}", root.display()))
            .with_hint("put the logo under the root (e.g. figures/), or widen the root with --root"));
    }
    let bytes = limits::read_input(&path, &limits::FILE_BYTES).map_err(|e| {
        let what = if e.kind() == std::io::ErrorKind::NotFound { "not found".to_string() } else { e.to_string() };
        Diagnostic::error(None, format!("logo `{shown}`: {what}"))
    })?;
    let too_big = |size| {
        Diagnostic::error(None, limits::image_pixels_message(&shown, size)).with_hint(limits::IMAGE_PIXELS.hint())
    };
    let not_image = || {
        Diagnostic::error(None, format!("logo `{shown}` is not an image lectern can read"))
            .with_hint("use a PNG, JPEG, GIF, WebP or SVG file")
    };
    let ext = path.extension().and_then(|e| e.to_str()).unwrap_or("").to_ascii_lowercase();
    if ext == "svg" {
        if let Some(size) = limits::oversized_embedded_image(&bytes) {
            return Err(too_big(size));
        }
        // Parsed here (linked files never loaded) so a broken file fails at the author's
        // line: inside the theme, Typst's error would have no place in the deck.
        let options = usvg::Options {
            image_href_resolver: usvg::ImageHrefResolver {
                resolve_data: usvg::ImageHrefResolver::default_data_resolver(),
                resolve_string: Box::new(|_, _| None),
            },
            ..usvg::Options::default()
        };
        return match usvg::Tree::from_data(&bytes, &options) {
            Ok(_) => Ok(bytes),
            Err(e) => Err(Diagnostic::error(None, format!("logo `{shown}` is not a valid SVG file: {e}"))),
        };
    }
    if let Some(size) = limits::oversized_image(&bytes) {
        return Err(too_big(size));
    }
    let reader =
        image::ImageReader::new(std::io::Cursor::new(&bytes)).with_guessed_format().map_err(|_| not_image())?;
    use image::ImageFormat::*;
    if !matches!(reader.format(), Some(Png | Jpeg | Gif | WebP)) {
        return Err(not_image());
    }
    // Decode once here so a broken file fails at the author's line, not inside the theme.
    reader.decode().map_err(|e| {
        Diagnostic::error(None, format!("logo `{shown}` cannot be read: {e}")).with_hint("re-export it as PNG")
    })?;
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_web_mail_and_slide_links() {
        for ok in ["https://example.org", "http://x.jp/a?b", "mailto:a@b.jp", "#slide-2", "HTTPS://X.ORG"] {
            assert!(is_safe_url(ok), "{ok}");
        }
        for bad in ["javascript:alert(1)", "JavaScript:x", "file:///etc/passwd", "data:text/html,x", "other.md", ""] {
            assert!(!is_safe_url(bad), "{bad}");
        }
    }

    #[test]
    fn comments_cannot_be_broken() {
        for name in ["a\nb", "a\u{2028}b", "a\u{85}b", "a\x0bb", "a\rb", "a\u{2029}b", "a\x0cb"] {
            let c = comment_text(name);
            assert!(!c.chars().any(|ch| ch.is_control() || matches!(ch, '\u{85}' | '\u{2028}' | '\u{2029}')), "{c:?}");
        }
    }

    #[test]
    fn typst_messages_in_the_authors_terms() {
        let root = Path::new("/home/u");
        assert_eq!(
            author_terms("file not found (searched at /home/u/fig/a.png)", root),
            "file not found (searched at fig/a.png)"
        );
        assert_eq!(author_terms("see /home/user2/x", root), "see /home/user2/x");
        let m = author_terms("error in /__lectern__/lib/charts.typ", root);
        assert!(!m.contains("__lectern__") && m.contains("chart code"), "{m}");
    }

    fn slide_blocks(markdown: &str) -> Vec<Block> {
        let mut sources = Sources::default();
        let file = sources.add("t.md", markdown);
        let parsed = crate::parse::parse(markdown, file, &sources).map_err(|f| f.0).unwrap();
        parsed.deck.slides.into_iter().flat_map(|s| s.blocks).collect()
    }

    #[test]
    fn items_count_blocks_list_items_cells_and_marks() {
        // A paragraph with an image and a formula (3), a list of two items holding a
        // paragraph each (1 + 2 + 2), a 2 × 2 table with a footnote mark in a cell (1 + 4 + 1).
        let blocks = slide_blocks(
            "## S\n\nText ![x](a.png) $x$\n\n- one\n- two\n\n| a | b |\n|---|---|\n| c[^1] | d |\n\n[^1]: n\n",
        );
        assert_eq!(count_items(&blocks), 3 + 5 + 6);
    }

    #[test]
    fn text_bounds_reach_nested_blocks_and_cells() {
        let long = "字".repeat(limits::PARAGRAPH_CHARS.get() as usize + 1);
        let formula = "x".repeat(limits::MATH_CHARS.get() as usize + 1);
        for (markdown, found) in [
            (format!("## S\n\n- > {long}\n"), "this paragraph has"),
            (format!("## S\n\n| a |\n|---|\n| ${formula}$ |\n"), "this formula has"),
        ] {
            let mut errors = Vec::new();
            blocks(&slide_blocks(&markdown), &mut errors);
            assert!(errors.iter().any(|e| e.message.contains(found)), "{found}: {errors:?}");
        }
    }

    #[test]
    fn footer_placeholders_count_at_their_filled_in_size() {
        let meta = crate::frontmatter::Meta {
            title: Some("t".repeat(100)),
            footer: Some("{title}".repeat(300)),
            ..Default::default()
        };
        // 2,100 characters as written, and 300 × 100 more with every `{title}` filled in.
        let Failure(errors) = check_front_matter(&meta, None).unwrap_err();
        assert!(errors[0].message.contains("the `footer` has 32100 characters once its placeholders"), "{errors:?}");
        let meta = crate::frontmatter::Meta { footer: Some("{event}".repeat(300)), ..meta };
        assert!(check_front_matter(&meta, None).is_ok(), "no event: nothing to multiply");
    }

    #[test]
    fn lone_cr_becomes_lf() {
        assert_eq!(normalize_newlines("a\rb\r\nc".into()), "a\nb\r\nc");
    }
}
