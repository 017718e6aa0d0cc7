//! Remixing: `<!-- include: ../common/volt-typhoon.md#pre-positioning -->` inserts slides of
//! another deck, and a playlist YAML builds a deck out of several. Included slides keep
//! their footnotes and images (resolved against their own deck) and credit their author.

use std::path::{Path, PathBuf};

use crate::diag::{Diagnostic, Failure, FileIdx, Sources};
use crate::frontmatter;
use crate::ids::Ids;
use crate::lang::Lang;
use crate::model::*;
use crate::parse::{self, Include};
use crate::paths::normalize;

/// Expands every include of `deck` (written in `file` on disk), recursively.
pub fn expand(
    deck: &mut Deck,
    includes: Vec<Include>,
    file: &Path,
    root: &Path,
    sources: &mut Sources,
    stack: &mut Vec<PathBuf>,
    read: &mut Vec<PathBuf>,
) -> Result<(), Failure> {
    if includes.is_empty() {
        return Ok(());
    }
    let dir = file.parent().unwrap_or(Path::new("."));
    // From the last to the first, so earlier positions stay valid.
    for include in includes.into_iter().rev() {
        let (path, fragment) = match include.target.split_once('#') {
            Some((p, f)) => (p.trim(), Some(f.trim())),
            None => (include.target.trim(), None),
        };
        let at = |message: String| Failure(vec![Diagnostic::error(include.span, message)]);
        if path.is_empty() {
            return Err(at("`include:` needs a file: `<!-- include: other.md#slide-id -->`".into()));
        }
        let target = normalize(&std::path::absolute(dir.join(path)).unwrap_or_default());
        if !crate::paths::inside_root(&target, root) {
            return Err(Failure(vec![
                Diagnostic::error(include.span, format!("`{path}` lies outside the build root {}", root.display()))
                    .with_hint("keep shared slides under one folder and build from it, or widen the root with --root"),
            ]));
        }
        if stack.contains(&target) {
            let chain: Vec<String> = stack
                .iter()
                .chain([&target])
                .map(|p| p.file_name().unwrap_or_default().to_string_lossy().into())
                .collect();
            return Err(at(format!("include cycle: {}", chain.join(" → "))));
        }
        read.push(target.clone());
        // Each expansion counts (`read` grows by one), so files that include each other
        // twice over cannot multiply without bound.
        if crate::limits::INCLUDES.exceeded(read.len() as u64) {
            return Err(Failure(vec![crate::limits::INCLUDES.error(include.span, "this include")]));
        }
        if crate::limits::INCLUDE_DEPTH.exceeded(stack.len() as u64) {
            return Err(Failure(vec![
                crate::limits::INCLUDE_DEPTH
                    .error(include.span, format!("`{path}` is included {} levels deep", stack.len())),
            ]));
        }
        let text = match crate::limits::read_input(&target, &crate::limits::DECK_BYTES) {
            Ok(bytes) => String::from_utf8(bytes).map_err(|_| at(format!("`{path}` is not UTF-8 text")))?,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(at(format!("included deck `{path}` not found")));
            }
            Err(e) => return Err(at(format!("cannot read `{path}`: {e}"))),
        };
        let text = text.strip_prefix('\u{feff}').map(str::to_string).unwrap_or(text);
        let text = crate::safety::normalize_newlines(text);
        let name = target.strip_prefix(root).unwrap_or(&target).display().to_string();
        let sub_file = sources.add(name, text.clone());
        let parsed = parse::parse_part(&text, sub_file, sources, include.slidev)?;
        let mut sub = parsed.deck;
        stack.push(target.clone());
        expand(&mut sub, parsed.includes, &target, root, sources, stack, read)?;
        stack.pop();

        let mut slides = select(&sub, fragment).map_err(|message| at(format!("`{}`: {message}", include.target)))?;
        let sub_dir = target.parent().unwrap_or(Path::new("/")).to_path_buf();
        let credit = credit(&sub.meta, deck.meta.lang.as_ref().or(sub.meta.lang.as_ref()));
        // The included deck's footnotes join the host's; one already there (the same
        // definition, included twice) keeps its number.
        let mut numbers = Vec::with_capacity(sub.footnotes.len());
        for mut footnote in sub.footnotes {
            // Each include parses the file anew, so compare by file name and place.
            let same = |f: &&Footnote| {
                f.label == footnote.label
                    && f.span.range() == footnote.span.range()
                    && sources.name(f.span.file) == sources.name(footnote.span.file)
            };
            match deck.footnotes.iter().find(same) {
                Some(existing) => numbers.push(existing.number),
                None => {
                    footnote.number = deck.footnotes.iter().map(|f| f.number).max().unwrap_or(0) + 1;
                    numbers.push(footnote.number);
                    deck.footnotes.push(footnote);
                }
            }
        }
        let renumber = |n: &mut usize| *n = numbers.get(*n - 1).copied().unwrap_or(*n);
        for slide in &mut slides {
            rebase_slide(slide, &sub_dir);
            for_each_ref(slide, &mut |n| renumber(n));
            slide.footnote_refs.iter_mut().for_each(renumber);
            // A slide included through another deck keeps its first author's credit.
            if slide.credit.is_none() {
                slide.credit.clone_from(&credit);
            }
        }
        let position = include.position.min(deck.slides.len());
        deck.slides.splice(position..position, slides);
        // Checked as slides arrive, so a deck included many times stops early.
        if crate::limits::SLIDES.exceeded(deck.slides.len() as u64) {
            let found = format!("with `{path}` the deck has {} slides", deck.slides.len());
            return Err(Failure(vec![crate::limits::SLIDES.error(include.span, found)]));
        }
    }
    renumber_footnotes(deck);
    unique_ids(&mut deck.slides);
    Ok(())
}

/// The slides an include names: one slide, a section (its slide and those up to the next
/// section), or the whole deck.
fn select(deck: &Deck, fragment: Option<&str>) -> Result<Vec<Slide>, String> {
    let Some(id) = fragment else { return Ok(deck.slides.clone()) };
    let Some(start) = deck.slides.iter().position(|s| s.id == id) else {
        let ids: Vec<&str> = deck.slides.iter().map(|s| s.id.as_str()).collect();
        let mut message = format!("no slide or section with id `{id}`");
        if let Some(s) = crate::diag::did_you_mean(id, ids.iter().copied()) {
            message.push_str(&format!(" (did you mean `{s}`?)"));
        }
        return Err(format!("{message}; its ids are: {}", ids.join(", ")));
    };
    if deck.slides[start].kind != SlideKind::Section {
        return Ok(vec![deck.slides[start].clone()]);
    }
    let end = deck.slides[start + 1..]
        .iter()
        .position(|s| s.kind == SlideKind::Section)
        .map_or(deck.slides.len(), |i| start + 1 + i);
    Ok(deck.slides[start..end].to_vec())
}

/// "スライド: 小倉利丸「サイバー戦争の謎」より" — who made the included slide.
fn credit(meta: &frontmatter::Meta, lang: Option<&Lang>) -> Option<String> {
    let author = (!meta.authors.is_empty()).then(|| meta.authors.join("、"));
    let ja = lang.is_none_or(Lang::is_ja);
    match (author, &meta.title) {
        (None, None) => None,
        (Some(a), Some(t)) if ja => Some(format!("スライド: {a}「{t}」より")),
        (Some(a), None) if ja => Some(format!("スライド: {a}")),
        (None, Some(t)) if ja => Some(format!("スライド: 「{t}」より")),
        (Some(a), Some(t)) => Some(format!("Slide: {a}, “{t}”")),
        (Some(a), None) => Some(format!("Slide: {a}")),
        (None, Some(t)) => Some(format!("Slide: “{t}”")),
    }
}

/// Paths in an included slide are relative to its own deck: make them absolute.
fn rebase_slide(slide: &mut Slide, dir: &Path) {
    let rebase = |src: &mut String| {
        if !src.contains("://") && !src.starts_with("data:") && !Path::new(src.as_str()).is_absolute() {
            *src = normalize(&dir.join(src.as_str())).to_string_lossy().into_owned();
        }
    };
    if let Some(image) = &mut slide.background {
        rebase(&mut image.src);
    }
    if let Some((_, image)) = &mut slide.side_image {
        rebase(&mut image.src);
    }
    slide.visit_blocks_mut(&mut |block| match block {
        Block::Image { image, .. } => rebase(&mut image.src),
        Block::Chart(chart) => {
            if let Some(data) = &mut chart.spec.data {
                rebase(data);
            }
        }
        _ => {}
    });
    slide.visit_inlines_mut(&mut |inline| {
        if let Inline::Image(image) = inline {
            rebase(&mut image.src);
        }
    });
}

/// Every footnote reference of a slide, for renumbering.
fn for_each_ref(slide: &mut Slide, f: &mut dyn FnMut(&mut usize)) {
    slide.visit_inlines_mut(&mut |inline| {
        if let Inline::FootnoteRef(n) = inline {
            f(n);
        }
    });
}

/// Numbers footnotes 1, 2, 3 … in the order the final deck first uses them.
fn renumber_footnotes(deck: &mut Deck) {
    let mut order: Vec<usize> = Vec::new();
    for slide in &mut deck.slides {
        for &n in &slide.footnote_refs {
            if !order.contains(&n) {
                order.push(n);
            }
        }
    }
    let new_number = |old: usize| order.iter().position(|&n| n == old).map_or(old, |i| i + 1);
    for slide in &mut deck.slides {
        for_each_ref(slide, &mut |n| *n = new_number(*n));
        for n in &mut slide.footnote_refs {
            *n = new_number(*n);
        }
    }
    let mut footnotes: Vec<Footnote> =
        order.iter().filter_map(|&old| deck.footnotes.iter().find(|f| f.number == old).cloned()).collect();
    for (i, f) in footnotes.iter_mut().enumerate() {
        f.number = i + 1;
    }
    deck.footnotes = footnotes;
}

/// Ids stay unique when the same slide is included twice or collides with a host slide.
fn unique_ids(slides: &mut [Slide]) {
    let mut ids = Ids::default();
    for slide in slides {
        slide.id = ids.claim(&slide.id);
    }
}

/// A playlist (`title:`, `theme:`, … and `slides:` naming decks or slides) as a deck whose
/// slides are all included.
pub fn playlist(
    text: &str,
    file: FileIdx,
    sources: &Sources,
) -> Result<(Deck, Vec<Include>, Vec<Diagnostic>), Failure> {
    let line_span = |line| sources.line_span(file, line);
    let value = crate::yaml::Yaml { text, line_span: &line_span }.value("malformed playlist YAML")?;
    let entries: Vec<String> = match value.get("slides") {
        Some(serde_yaml::Value::Sequence(items)) => {
            items.iter().filter_map(|i| i.as_str().map(str::to_string)).collect()
        }
        _ => {
            return Err(Diagnostic::error(
                sources.line_span(file, 1),
                "a playlist needs `slides:`, a list of decks or slides",
            )
            .with_hint("slides:\n  - decks/volt-typhoon.md#pre-positioning\n  - decks/gaza-case-study.md")
            .into());
        }
    };
    // Front matter: the playlist without its `slides:` lines (blanked, so lines still match).
    let mut in_slides = false;
    let yaml: String = text
        .lines()
        .map(|line| {
            if line.starts_with("slides:") {
                in_slides = true;
                return "";
            }
            if in_slides && (line.starts_with([' ', '\t', '-']) || line.trim().is_empty()) {
                return "";
            }
            in_slides = false;
            line
        })
        .collect::<Vec<_>>()
        .join("\n");
    let block = frontmatter::Block { yaml: &yaml, yaml_start: 0, end: text.len() };
    let mut warnings = Vec::new();
    let meta = frontmatter::parse(&block, file, sources, &mut warnings)?;
    let mut includes = Vec::new();
    for entry in entries {
        let line =
            text.lines().position(|l| l.trim_start().trim_start_matches('-').trim() == entry).map_or(1, |i| i + 1);
        includes.push(Include { position: 0, target: entry, span: sources.line_span(file, line), slidev: false });
    }
    let deck = Deck { meta, slides: vec![], footnotes: vec![], bibliography_urls: Default::default() };
    // All at position 0: expanded last to first, they end up in the playlist's order.
    Ok((deck, includes, warnings))
}
