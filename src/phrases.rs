//! Phrase-aware Japanese line breaking for large text: titles, statements, steps, table
//! cells and diagram labels. Typst breaks CJK text between any two characters (with
//! kinsoku), which splits words such as 「サイバー領域」 across lines; set large, that reads
//! badly. BudouX (the `budoux` crate, Google's model) finds the phrases of a sentence,
//! and each phrase is glued with WORD JOINER (U+2060, invisible, a "no break here" for
//! Unicode line breaking), so Typst may break only between phrases. Body paragraphs keep
//! Typst's own CJK breaking.
//!
//! Authors can steer it: `<wbr>` marks an extra allowed break (a ZERO WIDTH SPACE) and
//! `<nobr>…</nobr>` keeps a phrase together.

use std::collections::HashMap;

use crate::model::*;

/// WORD JOINER: prohibits a line break on either side.
pub const JOINER: char = '\u{2060}';
/// ZERO WIDTH SPACE: an allowed break (what `<wbr>` becomes).
pub const BREAK: char = '\u{200B}';
/// FOUR-PER-EM SPACE: an allowed break between a Japanese and a Latin unit.
pub const QUARTER_SPACE: char = '\u{2005}';

/// A phrase longer than this (in characters) is left breakable, so a long compound in a
/// narrow table column can still wrap rather than overflow.
const LONGEST_KEPT: usize = 16;

/// How many texts `phrases` remembers (a few thousand slides' worth) before forgetting all.
const REMEMBERED_TEXTS: usize = 50_000;

fn is_japanese(c: char) -> bool {
    matches!(c as u32, 0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0xFF66..=0xFF9F)
}

/// The phrases of `text`, in order, covering it exactly (author `<wbr>` breaks included
/// as boundaries). Text without kana or kanji is one phrase.
pub fn phrases(text: &str) -> Vec<String> {
    let clean: String = text.chars().filter(|&c| c != JOINER).collect();
    if !clean.chars().any(is_japanese) {
        return vec![clean];
    }
    // Watch rebuilds split the same sentences again: remember them (bounded).
    static SEEN: std::sync::Mutex<Option<HashMap<String, Vec<String>>>> = std::sync::Mutex::new(None);
    let mut seen = SEEN.lock().unwrap_or_else(|e| e.into_inner());
    let seen = seen.get_or_insert_with(HashMap::new);
    if let Some(known) = seen.get(&clean) {
        return known.clone();
    }
    if seen.len() >= REMEMBERED_TEXTS {
        seen.clear();
    }
    let model = budoux::models::default_japanese_model();
    let mut out = Vec::new();
    let mut parts = clean.split(BREAK).peekable();
    while let Some(part) = parts.next() {
        if !part.is_empty() {
            out.extend(budoux::parse(model, part).into_iter().filter(|p| !p.is_empty()));
        }
        if parts.peek().is_some()
            && let Some(last) = out.last_mut()
        {
            last.push(BREAK);
        }
    }
    seen.insert(clean, out.clone());
    out
}

/// `text` with a WORD JOINER between the characters of each phrase, so that a line may
/// only break between phrases (and at spaces).
pub fn keep_phrases(text: &str) -> String {
    keep_phrases_within(text, LONGEST_KEPT)
}

/// Phrases longer than this stay breakable in narrow places (table cells, diagram
/// boxes): a run such as 「国際犯罪・テロ・国家攻撃、」 would otherwise set the width.
const LONGEST_KEPT_NARROW: usize = 8;

/// [`keep_phrases`] where only phrases of at most `limit` characters are glued.
pub fn keep_phrases_within(text: &str, limit: usize) -> String {
    if !text.chars().any(is_japanese) {
        return text.to_string();
    }
    // Joiners already there (`<nobr>`) stay: before which characters of the clean text.
    let mut joined_before = Vec::new();
    let mut pending = false;
    for c in text.chars() {
        if c == JOINER {
            pending = true;
        } else {
            joined_before.push(pending);
            pending = false;
        }
    }
    let mut out = String::with_capacity(text.len() * 2);
    let mut index = 0;
    let units = units(text, limit);
    for phrase in units {
        // A break marks where one phrase ends and the next begins (the theme sets each
        // glued phrase as one box; without the mark two phrases would make one box).
        if let (Some(p), Some(c)) = (out.chars().last(), phrase.chars().next())
            && glues(p, c)
            && !joined_before[index]
        {
            // Between Japanese and Latin letters or digits, the quarter-em space Typst
            // would have put there (boxes hide their letters from its automatic spacing).
            let latin = |x: char| x.is_ascii_alphanumeric();
            out.push(if latin(p) != latin(c) && (is_japanese(p) || is_japanese(c)) { QUARTER_SPACE } else { BREAK });
        }
        let kept = phrase.chars().count() <= limit;
        for (k, c) in phrase.chars().enumerate() {
            let inside = k > 0 && kept && joins(&phrase, k);
            if inside || (index > 0 && joined_before[index]) {
                out.push(JOINER);
            }
            out.push(c);
            index += 1;
        }
    }
    out
}

/// What large text keeps together, in order: phrases, and the words of a phrase too long
/// to keep whole (titles, statements); where a line may break is between two of them.
pub fn title_units(text: &str) -> Vec<String> {
    units(text, LONGEST_KEPT)
}

/// Narrow places (table cells, diagram boxes) keep words together; elsewhere phrases,
/// and the words of a phrase longer than `limit` characters.
fn units(text: &str, limit: usize) -> Vec<String> {
    let mut units: Vec<String> = phrases(text)
        .into_iter()
        .flat_map(|p| if limit < LONGEST_KEPT || p.chars().count() > limit { words(&p) } else { vec![p] })
        .collect();
    // Kinsoku between units: closing marks never start one, opening marks never end one.
    for i in 1..units.len() {
        while let Some(c) = units[i].chars().next().filter(|&c| NO_START.contains(c)) {
            units[i].remove(0);
            units[i - 1].push(c);
        }
        while let Some(c) = units[i - 1].chars().last().filter(|&c| NO_END.contains(c)) {
            units[i - 1].pop();
            units[i].insert(0, c);
        }
    }
    units.retain(|u| !u.is_empty());
    units
}

/// Characters that may not begin a line (JIS X 4051 closing marks, middle dots, small kana).
const NO_START: &str = "、。，．・：；？！）」』】〉》〕］｝ーぁぃぅぇぉっゃゅょゎァィゥェォッャュョヮヵヶ々,.:;?!)]}";
/// Characters that may not end a line (opening brackets).
const NO_END: &str = "（「『【〈《〔［｛([{";

#[derive(PartialEq, Clone, Copy)]
enum Script {
    Han,
    Katakana,
    Hiragana,
    Latin,
    Other,
}

fn script(c: char) -> Script {
    match c as u32 {
        0x3005 | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF => Script::Han,
        0x30A0..=0x30FF | 0xFF66..=0xFF9F => Script::Katakana,
        0x3040..=0x309F => Script::Hiragana,
        _ if c.is_alphanumeric() => Script::Latin,
        _ => Script::Other,
    }
}

/// A phrase cut into words for narrow places: a new word starts where kanji, katakana or
/// Latin begins after another script (kana and punctuation stay with what precedes
/// them, opening brackets with what follows): 「攻撃サーバの検知」 → 攻撃 / サーバの / 検知.
fn words(phrase: &str) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut prev = Script::Other;
    let mut opening = false;
    for c in phrase.chars() {
        let s = script(c);
        let starts = matches!(s, Script::Han | Script::Katakana | Script::Latin) && s != prev && prev != Script::Other;
        if (starts && !opening) || out.is_empty() {
            out.push(String::new());
        }
        out.last_mut().expect("a word").push(c);
        opening = matches!(c, '「' | '『' | '（' | '(' | '【' | '〈' | '《' | '［');
        if s != Script::Other || !opening {
            prev = if s == Script::Other { prev } else { s };
        }
    }
    out
}

/// Whether `join` glues the `k`-th character of `phrase` to the one before it.
fn joins(phrase: &str, k: usize) -> bool {
    let mut chars = phrase.chars().skip(k - 1);
    match (chars.next(), chars.next()) {
        (Some(p), Some(c)) => glues(p, c),
        _ => false,
    }
}

/// The longest run of `text` that cannot break (a glued phrase, a Latin word), in ems
/// (CJK 1, other characters about 0.56).
pub fn longest_unbreakable_em(text: &str) -> f64 {
    let width = |c: char| if crate::lang::is_cjk(c) { 1.0 } else { 0.56 };
    let (mut longest, mut run) = (0.0f64, 0.0f64);
    let mut prev: Option<char> = None;
    let mut glued = false;
    for c in text.chars() {
        if c == JOINER {
            glued = true;
            continue;
        }
        let breaks = c.is_whitespace()
            || c == BREAK
            || prev.is_some_and(|p| {
                !glued && (p.is_whitespace() || p == BREAK || crate::lang::is_cjk(p) || crate::lang::is_cjk(c))
            });
        if breaks {
            run = 0.0;
        }
        if !c.is_whitespace() && c != BREAK {
            run += width(c);
        }
        longest = longest.max(run);
        prev = Some(c);
        glued = false;
    }
    longest
}

fn glues(p: char, c: char) -> bool {
    !p.is_whitespace() && !c.is_whitespace() && p != BREAK && c != BREAK && !(p.is_ascii() && c.is_ascii())
}

/// Glues every pair of neighbouring characters that are not spaces or explicit breaks
/// (Latin letters and digits need no glue: they never break between each other).
pub fn join(text: &str) -> String {
    let mut out = String::with_capacity(text.len() * 2);
    let mut prev: Option<char> = None;
    for c in text.chars() {
        if let Some(p) = prev
            && glues(p, c)
        {
            out.push(JOINER);
        }
        out.push(c);
        prev = Some(c);
    }
    out
}

/// Inline content with its phrases kept together (text only; code, math and links'
/// targets are left as they are).
pub fn keep_inlines(inlines: &mut [Inline]) {
    keep_inlines_within(inlines, LONGEST_KEPT);
}

fn keep_inlines_within(inlines: &mut [Inline], limit: usize) {
    for inline in inlines {
        match inline {
            Inline::Text(t) => *t = keep_phrases_within(t, limit),
            other => {
                if let Some(children) = other.children_mut() {
                    keep_inlines_within(children, limit);
                }
            }
        }
    }
}

/// A table's cells with their phrases kept together (narrow-place limit).
pub fn keep_table(table: &mut Table) {
    table
        .header
        .iter_mut()
        .chain(table.rows.iter_mut().flatten())
        .for_each(|c| keep_inlines_within(c, LONGEST_KEPT_NARROW));
}

/// `<nobr>` content: one unbreakable run (spaces become no-break spaces).
pub fn unbreakable(inlines: &mut [Inline]) {
    for inline in inlines {
        match inline {
            Inline::Text(t) => *t = join(&t.replace(' ', "\u{a0}")),
            other => {
                if let Some(children) = other.children_mut() {
                    unbreakable(children);
                }
            }
        }
    }
}

/// Inline HTML `<wbr>` (an allowed break) and `<nobr>…</nobr>` (keep together), on the
/// parser's stack of open tags; `false` for any other tag.
pub fn break_tag(name: &str, closing: bool, stack: &mut Vec<(String, Vec<Inline>)>) -> bool {
    match (name, closing) {
        ("wbr", _) => stack.last_mut().expect("the root frame").1.push(Inline::Text(BREAK.to_string())),
        ("nobr", false) => stack.push(("nobr".to_string(), Vec::new())),
        ("nobr", true) => {
            let Some(pos) = stack.iter().rposition(|(n, _)| n == "nobr") else { return true };
            let mut content: Vec<Inline> = stack.drain(pos..).flat_map(|(_, c)| c).collect();
            unbreakable(&mut content);
            stack.last_mut().expect("the root frame").1.extend(content);
        }
        _ => return false,
    }
    true
}

/// A front-matter title as the slide shows it: `<br>` (any case) and newlines are line
/// breaks, phrases are kept together.
pub fn slide_title(title: &str) -> String {
    title_lines(title).iter().map(|l| keep_phrases(l)).collect::<Vec<_>>().join("\n")
}

/// A front-matter title as PDF metadata and running headers show it: one line, without
/// the author's breaks (no space where Japanese meets Japanese).
pub fn metadata_title(title: &str) -> String {
    let mut out = String::new();
    for line in title_lines(title) {
        let joins_cjk =
            out.chars().last().is_some_and(crate::lang::is_cjk) || line.chars().next().is_some_and(crate::lang::is_cjk);
        if !out.is_empty() && !joins_cjk {
            out.push(' ');
        }
        out.push_str(&line);
    }
    out
}

fn title_lines(title: &str) -> Vec<String> {
    let mut text = title.to_string();
    for tag in ["<br>", "<br/>", "<br />", "<BR>", "<Br>", "<BR/>", "<BR />"] {
        text = text.replace(tag, "\n");
    }
    text.split('\n').map(str::trim).filter(|l| !l.is_empty()).map(str::to_string).collect()
}

/// Keeps phrases together where text is set large or in narrow boxes: slide titles,
/// statement and steps slides, table cells, diagram labels.
pub fn apply(deck: &mut Deck) {
    for slide in &mut deck.slides {
        if let Some(title) = &mut slide.title {
            keep_inlines(title);
        }
        let whole_body = matches!(slide.layout, Some(Layout::Statement | Layout::Steps | Layout::End));
        let steps = slide.layout == Some(Layout::Steps);
        slide.visit_blocks_mut(&mut |block| match block {
            Block::Paragraph { inlines, .. } if whole_body => keep_inlines(inlines),
            Block::List(list) if steps => {
                for item in &mut list.items {
                    for b in &mut item.blocks {
                        if let Block::Paragraph { inlines, .. } = b {
                            keep_inlines(inlines);
                        }
                    }
                }
            }
            Block::Table(table) => keep_table(table),
            Block::Flow { flow, .. } => {
                let narrow = |t: &str| keep_phrases_within(t, LONGEST_KEPT_NARROW);
                for node in &mut flow.nodes {
                    node.label = narrow(&node.label);
                }
                for edge in &mut flow.edges {
                    edge.label = edge.label.as_deref().map(narrow);
                }
                for group in &mut flow.groups {
                    group.label = narrow(&group.label);
                }
            }
            _ => {}
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn phrases_cover_the_text() {
        let text = "サイバー領域の平和を";
        let p = phrases(text);
        assert!(p.len() >= 2, "{p:?}");
        assert_eq!(p.concat(), text);
        assert!(p.iter().all(|x| !x.is_empty()));
    }

    #[test]
    fn joined_text_breaks_only_between_phrases() {
        let text = "能動的サイバー防御と通信の秘密";
        let kept = keep_phrases(text);
        assert_eq!(kept.replace([JOINER, BREAK], ""), text);
        // Every boundary without a joiner is a phrase boundary, marked with a break.
        let mut bounds = vec![];
        let mut at = 0;
        for p in title_units(text) {
            at += p.chars().count();
            bounds.push(at);
        }
        let chars: Vec<char> = kept.chars().collect();
        let mut seen = 0;
        for (k, c) in chars.iter().enumerate() {
            if *c == JOINER || *c == BREAK {
                continue;
            }
            seen += 1;
            match chars.get(k + 1) {
                Some(&JOINER) => assert!(!bounds.contains(&seen), "glued across a phrase boundary: {kept:?}"),
                Some(&BREAK) => assert!(bounds.contains(&seen), "break inside a phrase: {kept:?}"),
                Some(_) => panic!("neither glued nor broken after {seen} characters: {kept:?}"),
                None => {}
            }
        }
        assert!(bounds.len() >= 3, "{bounds:?}");
    }

    #[test]
    fn author_breaks() {
        assert!(phrases("サイバー\u{200B}領域").len() >= 2);
        assert_eq!(keep_phrases("Volt Typhoon"), "Volt Typhoon");
        assert_eq!(slide_title("サイバー領域に<br>平和を").matches('\n').count(), 1);
        assert_eq!(metadata_title("サイバー領域に<br>平和を"), "サイバー領域に平和を");
        assert_eq!(metadata_title("Peace<br/>online"), "Peace online");
        assert_eq!(words("攻撃サーバの検知"), ["攻撃", "サーバの", "検知"]);
        assert_eq!(words("（英諸島外の"), ["（英諸島外の"]);
        assert!(
            units("重大な攻撃の未然防止には、政府に侵入・無害化の権限が不可欠", 8).iter().all(|u| !u.starts_with('・'))
        );
        // `<nobr>` joins survive phrase marking.
        let mut nobr = vec![Inline::Text("能動的サイバー防御".into())];
        unbreakable(&mut nobr);
        let Inline::Text(t) = &nobr[0] else { unreachable!() };
        assert_eq!(keep_phrases(t).matches(JOINER).count(), "能動的サイバー防御".chars().count() - 1);
    }
}
