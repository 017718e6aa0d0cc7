//! `lectern new` (a starter deck that uses every layout once) and `lectern gallery`
//! (every built-in theme × layout rendered to PNG by lectern itself, for docs/themes.md).

use std::fmt::Write;
use std::path::{Path, PathBuf};

use crate::pipeline::{BuildRequest, Builder};
use crate::themes::BUILTIN;

const STARTER_DECK: &str = include_str!("starter/deck.md");
const STARTER_FIGURES: &[(&str, &[u8])] = &[
    ("router.png", include_bytes!("starter/figures/router.png")),
    ("photo.jpg", include_bytes!("starter/figures/photo.jpg")),
    ("packets.csv", include_bytes!("starter/figures/packets.csv")),
];

/// Writes `<dir>/<name>.md` and `<dir>/figures/`; refuses to overwrite anything.
pub fn new_deck(dir: &Path, theme: &str) -> Result<PathBuf, String> {
    // `lectern new talk.md` names the deck: its folder is `talk` (not `talk.md/talk.md.md`).
    let named_deck = dir.extension().is_some_and(|e| e.eq_ignore_ascii_case("md"));
    let dir = &if named_deck { dir.with_extension("") } else { dir.to_path_buf() };
    if dir.exists() {
        return Err(format!("{} already exists; choose a new folder name", dir.display()));
    }
    let name = dir.file_name().and_then(|n| n.to_str()).ok_or("the folder needs a name")?;
    crate::themes::resolve(theme, Path::new("."), &mut crate::diag::Sources::default()).map_err(|d| d.message)?;
    std::fs::create_dir_all(dir.join("figures")).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let deck = STARTER_DECK.replacen("---\n", &format!("---\ntheme: {theme}\n"), 1);
    let path = dir.join(format!("{name}.md"));
    std::fs::write(&path, deck).map_err(|e| e.to_string())?;
    for (file, data) in STARTER_FIGURES {
        std::fs::write(dir.join("figures").join(file), data).map_err(|e| e.to_string())?;
    }
    Ok(path)
}

/// Builds the starter deck in every built-in theme and writes PNGs plus `themes.md`
/// into `out`. Returns the number of images written.
pub fn gallery(out: &Path) -> Result<usize, String> {
    let work = tempfile::tempdir().map_err(|e| e.to_string())?;
    let images = out.join("gallery");
    std::fs::create_dir_all(&images).map_err(|e| format!("cannot create {}: {e}", images.display()))?;
    let mut md = String::from(
        "# Themes\n\nEvery built-in theme with every layout, rendered by lectern itself from its starter deck\n\
         (`lectern new`). Regenerate with `cargo run --release -- gallery docs`.\n",
    );
    let mut count = 0;
    for theme in BUILTIN {
        let deck = new_deck(&work.path().join(theme.name), theme.name)?;
        let request = BuildRequest { deck: deck.clone(), root: Some(work.path().to_path_buf()), ..Default::default() };
        let mut sources = crate::diag::Sources::default();
        let compiled =
            Builder::new().compile(&request, &mut sources).map_err(|f| crate::diag::render_plain(&sources, &f.0))?;
        let _ = write!(md, "\n## {}\n\n{}\n\n", theme.name, theme.description());
        md.push_str("| | | |\n|---|---|---|\n");
        let titles = slide_titles(&deck);
        let options = typst_render::RenderOptions { pixel_per_pt: 0.75.into(), ..Default::default() };
        let cells: Vec<String> = compiled
            .document
            .pages()
            .iter()
            .enumerate()
            .map(|(i, page)| {
                let file = format!("{}-{:02}.png", theme.name, i + 1);
                let png = typst_render::render(page, &options).encode_png().map_err(|e| e.to_string())?;
                std::fs::write(images.join(&file), png).map_err(|e| e.to_string())?;
                let title = titles.get(i).map(String::as_str).unwrap_or("");
                Ok(format!("![{} – {title}](gallery/{file})<br>{title}", theme.name))
            })
            .collect::<Result<_, String>>()?;
        count += cells.len();
        for row in cells.chunks(3) {
            let _ = writeln!(md, "| {} |", row.join(" | "));
        }
    }
    std::fs::write(out.join("themes.md"), md).map_err(|e| e.to_string())?;
    Ok(count)
}

/// The layout of each slide of a deck, as lectern chose it (labels for the gallery).
fn slide_titles(deck: &Path) -> Vec<String> {
    let Ok(text) = std::fs::read_to_string(deck) else { return vec![] };
    let mut sources = crate::diag::Sources::default();
    let file = sources.add(deck.display().to_string(), text.clone());
    let Ok(parsed) = crate::parse::parse(&text, file, &sources) else { return vec![] };
    let mut deck = parsed.deck;
    crate::layout::layout(&mut deck);
    deck.slides
        .iter()
        .map(|s| match s.kind {
            crate::model::SlideKind::Content => s.layout.unwrap_or(crate::model::Layout::Content).name().to_string(),
            crate::model::SlideKind::Title => "title".into(),
            crate::model::SlideKind::Agenda => "agenda".into(),
            crate::model::SlideKind::Section => "section".into(),
            crate::model::SlideKind::Sources => "sources".into(),
        })
        .collect()
}
